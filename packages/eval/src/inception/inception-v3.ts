import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractorSettings, ImageFeatureExtractor } from '../features/feature-extractor';
import {
  type BasicConvSpec,
  INCEPTION_BATCH_NORM_EPSILON,
  INCEPTION_CONVS,
  INCEPTION_FEATURE_DIM,
  INCEPTION_INPUT_SIZE,
  INCEPTION_MODULES,
  type InceptionModuleSpec,
  inceptionFeatureParameterShapes,
  STEM_CONVS,
} from './inception-architecture';
import {
  type BranchPool,
  type InceptionConvention,
  type InceptionConventionName,
  inceptionConvention,
} from './inception-conventions';
import type { TensorSource } from './tensor-source';

/** Options of {@link InceptionV3.fromStateDict}. */
export interface InceptionV3Options {
  /** Which network the weights are: `'pytorch-fid'` (standard FID) or `'torchvision-imagenet'` (DF-GAN/GALIP/RATLIP). */
  convention: InceptionConventionName;
}

/** Intermediate outputs in pytorch-fid's `output_blocks` sense; the caller disposes them. */
export interface InceptionBlocks {
  /** Resized and normalised input, `[batch, 299, 299, 3]`. */
  input: tf.Tensor4D;
  /** After the first max-pool, `[batch, 73, 73, 64]` at 299 input. */
  block0: tf.Tensor4D;
  /** After the second max-pool, `[batch, 35, 35, 192]`. */
  block1: tf.Tensor4D;
  /** After Mixed_6e, `[batch, 17, 17, 768]`. */
  block2: tf.Tensor4D;
  /** Global average of Mixed_7c, `[batch, 2048]`. */
  pool3: tf.Tensor2D;
}

interface FoldedConv {
  spec: BasicConvSpec;
  /** `[kh, kw, in, out]` with the BatchNorm scale folded in. */
  filter: tf.Tensor4D;
  /** `[out]`: BatchNorm shift. */
  bias: tf.Tensor1D;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkStateDict(source: TensorSource, convention: InceptionConvention): void {
  const missing: string[] = [];
  for (const [name, shape] of inceptionFeatureParameterShapes()) {
    if (!source.has(name)) {
      missing.push(name);
      continue;
    }
    const actual = source.shape(name);
    if (actual.length !== shape.length || actual.some((size, axis) => size !== shape[axis])) {
      throw new Error(
        `${source.source}: '${name}' has shape ${shapeText(actual)}, expected ${shapeText(shape)} (Inception-v3 state_dict)`,
      );
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `${source.source}: ${missing.length} Inception-v3 tensors missing, e.g. ${missing.slice(0, 3).join(', ')} ` +
        '(expected torch state_dict names such as Conv2d_1a_3x3.conv.weight)',
    );
  }
  if (source.has('fc.weight')) {
    const classes = source.shape('fc.weight')[0];
    if (classes !== convention.classifierClasses) {
      throw new Error(
        `${source.source}: fc.weight has ${classes} rows but convention '${convention.name}' has ` +
          `${convention.classifierClasses} classes (pytorch-fid weights have 1008, torchvision's 1000): wrong convention or file`,
      );
    }
  }
}

/** Conv weight `[out, in, kh, kw]` and BatchNorm folded into a HWIO filter and a bias, in float64 then rounded once. */
function foldBasicConv(source: TensorSource, spec: BasicConvSpec): FoldedConv {
  const weight = source.float32(`${spec.name}.conv.weight`);
  const gamma = source.float32(`${spec.name}.bn.weight`);
  const beta = source.float32(`${spec.name}.bn.bias`);
  const mean = source.float32(`${spec.name}.bn.running_mean`);
  const variance = source.float32(`${spec.name}.bn.running_var`);
  const { outChannels: out, inChannels: inC, kernelHeight: kh, kernelWidth: kw } = spec;
  const scale = new Float64Array(out);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    scale[o] = gamma[o]! / Math.sqrt(variance[o]! + INCEPTION_BATCH_NORM_EPSILON);
    bias[o] = beta[o]! - mean[o]! * scale[o]!;
  }
  const filter = new Float32Array(weight.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inC; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          filter[((y * kw + x) * inC + i) * out + o] = weight[((o * inC + i) * kh + y) * kw + x]! * scale[o]!;
        }
      }
    }
  }
  return {
    spec,
    filter: tf.tensor4d(filter, [kh, kw, inC, out]),
    bias: tf.tensor1d(bias),
  };
}

/**
 * Inception-v3 up to the 2048-d pool3 features, channels-last, in either weight convention.
 * Input: RGB `[batch, height, width, 3]` in [0, 1]; it is resized bilinearly to 299x299
 * (align_corners=False, no antialiasing, as PyTorch's F.interpolate) and normalised per the
 * convention. Runs on any tfjs backend.
 */
export class InceptionV3 implements ImageFeatureExtractor {
  readonly dim = INCEPTION_FEATURE_DIM;
  readonly id: string;
  private readonly convs: Map<string, FoldedConv>;
  private disposed = false;

  private constructor(
    readonly convention: InceptionConvention,
    private readonly weightsSource: string,
    convs: Map<string, FoldedConv>,
  ) {
    this.convs = convs;
    this.id = `inception-v3/${convention.name}/pool3`;
  }

  /**
   * Builds the network from a torch state_dict (`Conv2d_1a_3x3.conv.weight`, `...bn.running_var`, ...).
   * `fc.*`, `AuxLogits.*` and `num_batches_tracked` are ignored; an `fc.weight` whose class count
   * does not match the convention is an error (it identifies the other convention's file).
   */
  static fromStateDict(source: TensorSource, options: InceptionV3Options): InceptionV3 {
    const convention = inceptionConvention(options.convention);
    checkStateDict(source, convention);
    const convs = new Map<string, FoldedConv>();
    for (const spec of INCEPTION_CONVS) convs.set(spec.name, foldBasicConv(source, spec));
    return new InceptionV3(convention, source.source, convs);
  }

  /** Number of weight tensors held (two per BasicConv2d: folded filter and bias). */
  get tensorCount(): number {
    return this.convs.size * 2;
  }

  describe(): FeatureExtractorSettings {
    return {
      network: `Inception-v3 pool3 (${INCEPTION_FEATURE_DIM}-d)`,
      convention: this.convention.name,
      weights: `${this.weightsSource} (expected: ${this.convention.weights})`,
      resize: 'bilinear to 299x299, align_corners=False (half-pixel centres), no antialiasing',
      normalisation: this.convention.normalisation,
    };
  }

  /** Resize to 299x299 and normalise: `[batch, h, w, 3]` in [0,1] to `[batch, 299, 299, 3]`. */
  preprocess(images: tf.Tensor4D): tf.Tensor4D {
    this.checkInput(images);
    return tf.tidy(() => {
      const [, height, width] = images.shape;
      const resized =
        height === INCEPTION_INPUT_SIZE && width === INCEPTION_INPUT_SIZE
          ? images
          : tf.image.resizeBilinear(images, [INCEPTION_INPUT_SIZE, INCEPTION_INPUT_SIZE], false, true);
      const scale = tf.tensor1d([...this.convention.inputScale]);
      const shift = tf.tensor1d([...this.convention.inputShift]);
      return tf.add(tf.mul(resized, scale), shift) as tf.Tensor4D;
    });
  }

  /** pool3 features `[batch, 2048]` of `[batch, h, w, 3]` images in [0, 1]. */
  extract(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const input = this.preprocess(images);
      const block1 = this.stemTo(this.stemTo(input, 0), 1);
      return this.poolFeatures(this.mixed(block1));
    });
  }

  /** Every pytorch-fid output block (for parity tests and inspection); the caller disposes them. */
  forwardBlocks(images: tf.Tensor4D): InceptionBlocks {
    const input = this.preprocess(images);
    const block0 = tf.tidy(() => this.stemTo(input, 0));
    const block1 = tf.tidy(() => this.stemTo(block0, 1));
    const block2 = tf.tidy(() => this.mixedRange(block1, 0, 8));
    const pool3 = tf.tidy(() => this.poolFeatures(this.mixedRange(block2, 8, INCEPTION_MODULES.length)));
    return { input, block0, block1, block2, pool3 };
  }

  dispose(): void {
    if (this.disposed) return;
    for (const conv of this.convs.values()) {
      conv.filter.dispose();
      conv.bias.dispose();
    }
    this.disposed = true;
  }

  private checkInput(images: tf.Tensor4D): void {
    if (this.disposed) throw new Error('InceptionV3: used after dispose()');
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new Error(
        `InceptionV3: images must be [batch, height, width, 3] RGB in [0, 1], got shape ${shapeText(images.shape)}`,
      );
    }
  }

  private conv(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const folded = this.convs.get(name);
    if (!folded) throw new Error(`InceptionV3: no convolution named '${name}'`);
    return tf.fused.conv2d({
      x,
      filter: folded.filter,
      bias: folded.bias,
      strides: folded.spec.stride,
      pad: folded.spec.padding,
      activation: 'relu',
    });
  }

  /** Stem half 0 (Conv2d_1a..2b + max-pool) or 1 (Conv2d_3b, 4a + max-pool). */
  private stemTo(x: tf.Tensor4D, half: 0 | 1): tf.Tensor4D {
    const specs = half === 0 ? STEM_CONVS.slice(0, 3) : STEM_CONVS.slice(3);
    let y = x;
    for (const spec of specs) y = this.conv(spec.name, y);
    return tf.maxPool(y, 3, 2, 'valid');
  }

  private mixed(x: tf.Tensor4D): tf.Tensor4D {
    return this.mixedRange(x, 0, INCEPTION_MODULES.length);
  }

  private mixedRange(x: tf.Tensor4D, start: number, end: number): tf.Tensor4D {
    let y = x;
    for (const module of INCEPTION_MODULES.slice(start, end)) y = this.module(module, y);
    return y;
  }

  private poolFeatures(x: tf.Tensor4D): tf.Tensor2D {
    return tf.mean(x, [1, 2]) as tf.Tensor2D;
  }

  private module(module: InceptionModuleSpec, x: tf.Tensor4D): tf.Tensor4D {
    const c = (branch: string, input: tf.Tensor4D) => this.conv(`${module.name}.${branch}`, input);
    switch (module.kind) {
      case 'A':
        return tf.concat(
          [
            c('branch1x1', x),
            c('branch5x5_2', c('branch5x5_1', x)),
            c('branch3x3dbl_3', c('branch3x3dbl_2', c('branch3x3dbl_1', x))),
            c('branch_pool', branchPool(x, this.convention.poolA)),
          ],
          3,
        );
      case 'B':
        return tf.concat(
          [
            c('branch3x3', x),
            c('branch3x3dbl_3', c('branch3x3dbl_2', c('branch3x3dbl_1', x))),
            tf.maxPool(x, 3, 2, 'valid'),
          ],
          3,
        );
      case 'C': {
        const seven = c('branch7x7_3', c('branch7x7_2', c('branch7x7_1', x)));
        let double = c('branch7x7dbl_1', x);
        for (const step of ['branch7x7dbl_2', 'branch7x7dbl_3', 'branch7x7dbl_4', 'branch7x7dbl_5']) {
          double = c(step, double);
        }
        return tf.concat(
          [c('branch1x1', x), seven, double, c('branch_pool', branchPool(x, this.convention.poolC))],
          3,
        );
      }
      case 'D':
        return tf.concat(
          [
            c('branch3x3_2', c('branch3x3_1', x)),
            c('branch7x7x3_4', c('branch7x7x3_3', c('branch7x7x3_2', c('branch7x7x3_1', x)))),
            tf.maxPool(x, 3, 2, 'valid'),
          ],
          3,
        );
      case 'E': {
        const three = c('branch3x3_1', x);
        const double = c('branch3x3dbl_2', c('branch3x3dbl_1', x));
        const pool = this.convention.poolE[module.indexInKind] ?? this.convention.poolE[1];
        return tf.concat(
          [
            c('branch1x1', x),
            tf.concat([c('branch3x3_2a', three), c('branch3x3_2b', three)], 3),
            tf.concat([c('branch3x3dbl_3a', double), c('branch3x3dbl_3b', double)], 3),
            c('branch_pool', branchPool(x, pool)),
          ],
          3,
        );
      }
    }
  }
}

/**
 * 3x3 stride-1 pooling with padding 1 in PyTorch's semantics, built from 'valid' pools of an
 * explicitly padded input so every backend agrees on how padding is counted.
 */
export function branchPool(x: tf.Tensor4D, kind: BranchPool): tf.Tensor4D {
  return tf.tidy(() => {
    if (kind === 'max') return tf.maxPool(x, 3, 1, 'same');
    const padded = tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const includePadding = tf.avgPool(padded, 3, 1, 'valid');
    if (kind === 'average-include-padding') return includePadding;
    const [, height, width] = x.shape;
    return tf.mul(includePadding, windowCountCorrection(height, width));
  });
}

/** `[1, h, w, 1]`: 9 / (number of in-image cells of the 3x3 window at each position). */
function windowCountCorrection(height: number, width: number): tf.Tensor4D {
  const values = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const rows = 3 - (y === 0 ? 1 : 0) - (y === height - 1 ? 1 : 0);
    for (let x = 0; x < width; x++) {
      const cols = 3 - (x === 0 ? 1 : 0) - (x === width - 1 ? 1 : 0);
      values[y * width + x] = 9 / (rows * cols);
    }
  }
  return tf.tensor4d(values, [1, height, width, 1]);
}
