import * as tf from '@tensorflow/tfjs';
import { type NetCParams, netCForward } from '../model/net-c';
import { type NetDParams, netDForward } from '../model/net-d';

/**
 * The losses of RATLIP/GALIP training (official `train.py` / `lib/modules.py`), channels-last.
 */

/** Hinge loss on logits that should be real: `mean(relu(1 - logits))`. */
export function hingeRealLoss(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.sub(1, logits))));
}

/** Hinge loss on logits that should be fake (or mismatched): `mean(relu(1 + logits))`. */
export function hingeFakeLoss(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.add(1, logits))));
}

/**
 * The batch rolled by `shift` along axis 0: `concat(x[shift:], x[:shift])` (the official mismatched
 * sentences use shift 1: sample i gets sentence i + 1, the last gets sentence 0).
 */
export function rollBatch(x: tf.Tensor, shift = 1): tf.Tensor {
  const batch = x.shape[0]!;
  const s = ((shift % batch) + batch) % batch;
  if (s === 0) return x.clone();
  return tf.tidy(() => {
    const size = x.shape.map(() => -1);
    const head = tf.slice(
      x,
      x.shape.map((_, axis) => (axis === 0 ? s : 0)),
      size,
    );
    const tail = tf.slice(
      x,
      x.shape.map(() => 0),
      x.shape.map((dim, axis) => (axis === 0 ? s : dim)),
    );
    return tf.concat([head, tail], 0);
  });
}

/**
 * PyTorch's `cosine_similarity(a, b, dim=1)`: `a.b / max(|a| |b|, eps)` per row.
 * @param a `[batch, dim]`.
 * @param b `[batch, dim]`.
 * @returns `[batch]`.
 */
export function cosineSimilarity(a: tf.Tensor, b: tf.Tensor, eps = 1e-8): tf.Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const norms = tf.sqrt(tf.mul(tf.sum(tf.square(a), 1), tf.sum(tf.square(b), 1)));
    return tf.div(dot, tf.maximum(norms, eps)) as tf.Tensor1D;
  });
}

/** The discriminator on real CLIP features, with the input gradients MA-GP needs. */
export interface RealDiscrimination {
  /** `C(D(features), s)`, `[batch, 1, 1, 1]`. */
  readonly predReal: tf.Tensor4D;
  /** `C(D(features), roll(s, 1))` (mismatched sentences), `[batch, 1, 1, 1]`. */
  readonly predMismatch: tf.Tensor4D;
  /** `C(D(features), hard)` for the hard mismatched sentences when given, `[batch, 1, 1, 1]`. */
  readonly predHardMismatch?: tf.Tensor4D;
  /** d sum(predReal) / d features, `[batch, taps, grid, grid, width]`. */
  readonly gradFeatures: tf.Tensor;
  /** d sum(predReal) / d sentences, `[batch, sentenceDim]`. */
  readonly gradSentences: tf.Tensor;
}

/**
 * Runs NetD once on the real features and NetC on the matching and the mismatched sentences, and
 * differentiates the matching logits with respect to the features and the sentences (PyTorch's
 * `autograd.grad(pred_real, (features, sent), ones, create_graph=True)`). Inside a gradient tape
 * everything stays differentiable with respect to the D and C parameters (double backprop).
 * @param features real CLIP features `[batch, taps, grid, grid, width]`.
 * @param sentences `[batch, sentenceDim]`.
 * @param hardMismatched `[batch, sentenceDim]`: sentences that nearly describe each image but do not
 *   (see {@link discriminatorLosses}); their logits, like the rolled ones, get no input gradient.
 */
export function discriminateReal(
  netD: NetDParams,
  netC: NetCParams,
  features: tf.Tensor,
  sentences: tf.Tensor,
  hardMismatched?: tf.Tensor,
): RealDiscrimination {
  return tf.tidy(() => {
    const batch = sentences.shape[0]!;
    const passes = hardMismatched ? 3 : 2;
    // One NetD pass serves every sentence set; the mismatched logits get a zero upstream gradient,
    // so the input gradients are exactly those of the matching logits.
    const run = (f: tf.Tensor, s: tf.Tensor): tf.Tensor4D => {
      const d = netDForward(netD, f);
      const logits = [netCForward(netC, d, s), netCForward(netC, d, rollBatch(s, 1))];
      if (hardMismatched) logits.push(netCForward(netC, d, hardMismatched));
      return tf.concat(logits, 0);
    };
    const upstream = tf.concat(
      [tf.ones([batch, 1, 1, 1]), tf.zeros([(passes - 1) * batch, 1, 1, 1])],
      0,
    ) as tf.Tensor4D;
    const { value, grads } = tf.valueAndGrads(run)([features, sentences], upstream);
    const [predReal, predMismatch, predHardMismatch] = tf.split(value, passes, 0) as tf.Tensor4D[];
    return {
      predReal: predReal!,
      predMismatch: predMismatch!,
      ...(predHardMismatch ? { predHardMismatch } : {}),
      gradFeatures: grads[0]!,
      gradSentences: grads[1]!,
    };
  });
}

/**
 * Row sums of `[batch, n]` in two stages of about sqrt(n) terms each (zero-padded), so float32 sums of
 * 10^5 terms keep PyTorch's accuracy (a single sequential sum drifts by ~1e-5 relative).
 */
export function rowSum(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const [batch, n] = x.shape as [number, number];
    if (n <= 1024) return tf.sum(x, 1) as tf.Tensor1D;
    const chunk = Math.ceil(Math.sqrt(n));
    const chunks = Math.ceil(n / chunk);
    const padded =
      chunks * chunk === n
        ? x
        : tf.pad(x, [
            [0, 0],
            [0, chunks * chunk - n],
          ]);
    return tf.sum(tf.sum(tf.reshape(padded, [batch, chunks, chunk]), 2), 1) as tf.Tensor1D;
  });
}

/** Options of {@link matchingAwareGradientPenalty}. */
export interface MaGpOptions {
  /** k. Default 2. */
  weight?: number;
  /** p. Default 6. */
  power?: number;
}

/** MA-GP and the per-sample gradient norm. */
export interface MaGpResult {
  /** `weight * mean(|g|^power)`, scalar. */
  readonly penalty: tf.Scalar;
  /** `|g|` per sample, `[batch]`, g = [d pred / d features (flattened), d pred / d sentence]. */
  readonly gradNorm: tf.Tensor1D;
}

/**
 * The matching-aware gradient penalty of DF-GAN/GALIP on CLIP features: per sample the gradient of the
 * matching logit with respect to the real features and the sentence, concatenated; penalty =
 * `weight * mean(|g|^power)`, computed as `(sum g^2)^(power / 2)` so it stays differentiable at g = 0.
 */
export function matchingAwareGradientPenalty(
  gradFeatures: tf.Tensor,
  gradSentences: tf.Tensor,
  options: MaGpOptions = {},
): MaGpResult {
  const weight = options.weight ?? 2;
  const power = options.power ?? 6;
  return tf.tidy(() => {
    const batch = gradSentences.shape[0]!;
    const squares = tf.add(
      rowSum(tf.square(tf.reshape(gradFeatures, [batch, -1]))),
      rowSum(tf.square(tf.reshape(gradSentences, [batch, -1]))),
    ) as tf.Tensor1D;
    return {
      penalty: tf.mul(tf.mean(tf.pow(squares, power / 2)), weight) as tf.Scalar,
      gradNorm: tf.sqrt(squares),
    };
  });
}

/** The discriminator's losses of one iteration (scalars). */
export interface DiscriminatorLosses {
  readonly real: tf.Scalar;
  readonly fake: tf.Scalar;
  readonly mismatch: tf.Scalar;
  readonly maGp: tf.Scalar;
  /** `real + (fake + mismatch) / 2 + maGp`. */
  readonly total: tf.Scalar;
}

/**
 * The official D loss: hinge on real, fake and mismatched pairs plus MA-GP on the real features and
 * the sentences. Differentiable w.r.t. the D and C parameters (second order through MA-GP).
 *
 * With `hardMismatched` (not in the paper) the mismatch hinge is the mean of the official one (the
 * batch's sentences rolled by one, mostly unrelated captions) and one on sentences that nearly describe
 * each real image (e.g. its caption with two objects' colours swapped), which the rolled pairs rarely
 * are: the discriminator must then check which object has which attribute.
 * @param realFeatures `[batch, taps, grid, grid, width]` of the real images.
 * @param fakeFeatures the same for the fakes (treated as constants by the D step).
 * @param sentences `[batch, sentenceDim]`.
 * @param hardMismatched `[batch, sentenceDim]`, or undefined for the official loss.
 */
export function discriminatorLosses(
  netD: NetDParams,
  netC: NetCParams,
  realFeatures: tf.Tensor,
  fakeFeatures: tf.Tensor,
  sentences: tf.Tensor,
  options: MaGpOptions = {},
  hardMismatched?: tf.Tensor,
): DiscriminatorLosses {
  return tf.tidy(() => {
    const real = discriminateReal(netD, netC, realFeatures, sentences, hardMismatched);
    const maGp = matchingAwareGradientPenalty(real.gradFeatures, real.gradSentences, options).penalty;
    const realLoss = hingeRealLoss(real.predReal);
    const rolled = hingeFakeLoss(real.predMismatch);
    const mismatch = real.predHardMismatch
      ? (tf.mul(tf.add(rolled, hingeFakeLoss(real.predHardMismatch)), 0.5) as tf.Scalar)
      : rolled;
    const fake = hingeFakeLoss(netCForward(netC, netDForward(netD, fakeFeatures), sentences));
    const total = tf.add(tf.add(realLoss, tf.mul(tf.add(fake, mismatch), 0.5)), maGp) as tf.Scalar;
    return { real: realLoss, fake, mismatch, maGp, total };
  });
}

/**
 * How much a fake's CLIP embedding prefers its own caption over captions that do not describe it:
 * `mean_i CE(softmax_k(logitScale * cos(fake_i, choices_ik)), k = 0)`.
 *
 * Not in the official loss. The cosine term alone is nearly satisfied by images that match a
 * caption's colour and place but not its shape; with choices that differ from the caption in one
 * attribute, the gradient points at exactly that attribute.
 * @param fakeEmbedding `[batch, embedDim]`.
 * @param choices `[batch, choices, embedDim]`: per image, choice 0 is its caption, the others are not.
 * @param logitScale `exp(logit_scale)` of the CLIP that embedded the choices.
 */
export function clipContrastLoss(
  fakeEmbedding: tf.Tensor,
  choices: tf.Tensor3D,
  logitScale: number,
): tf.Scalar {
  return tf.tidy(() => {
    const [batch, count, dim] = choices.shape;
    const repeated = tf.reshape(tf.tile(tf.expandDims(fakeEmbedding, 1), [1, count, 1]), [
      batch * count,
      dim,
    ]);
    const cosines = tf.reshape(cosineSimilarity(repeated, tf.reshape(choices, [batch * count, dim])), [
      batch,
      count,
    ]);
    // Cosines are at most 1, so shifting the logits by logitScale keeps exp() finite without a max.
    const shifted = tf.mul(tf.sub(cosines, 1), logitScale);
    const logSumExp = tf.log(tf.sum(tf.exp(shifted), 1));
    const own = tf.reshape(tf.slice(shifted, [0, 0], [batch, 1]), [batch]);
    return tf.mean(tf.sub(logSumExp, own)) as tf.Scalar;
  });
}

/**
 * Per-pixel weights that single out what stands apart from an image's background, for
 * {@link reconstructionLoss}: the background colour is the mean of the image's one-pixel frame, and a
 * pixel whose largest channel distance from it is at least `threshold` weighs `foregroundWeight`, the
 * others 1. Without the weighting an L1 over images that are mostly background first learns only the
 * background. The weights have zero gradient, so they may be taken from a generator's own output.
 * @param images `[batch, height, width, channels]` in [-1, 1].
 * @param foregroundWeight weight of foreground pixels (1: every pixel alike).
 * @param threshold channel distance in [-1, 1] units (0.3 is about 38 of 255 levels).
 * @returns `[batch, height, width, 1]`.
 */
export function foregroundPixelWeights(
  images: tf.Tensor4D,
  foregroundWeight: number,
  threshold: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = images.shape;
    if (foregroundWeight === 1) return tf.ones([batch, height, width, 1]);
    const rows = tf.concat(
      [
        tf.slice(images, [0, 0, 0, 0], [-1, 1, -1, -1]),
        tf.slice(images, [0, height - 1, 0, 0], [-1, 1, -1, -1]),
      ],
      2,
    );
    const columns = tf.concat(
      [
        tf.slice(images, [0, 1, 0, 0], [-1, height - 2, 1, -1]),
        tf.slice(images, [0, 1, width - 1, 0], [-1, height - 2, 1, -1]),
      ],
      1,
    );
    const frame = tf.concat(
      [tf.reshape(rows, [batch, -1, channels]), tf.reshape(columns, [batch, -1, channels])],
      1,
    );
    const background = tf.reshape(tf.mean(frame, 1), [batch, 1, 1, channels]);
    const distance = tf.max(tf.abs(tf.sub(images, background)), 3, true);
    // greaterEqual, unlike greater, has a (zero) gradient, so fakes on a gradient tape may be weighed.
    return tf.where(
      tf.greaterEqual(distance, threshold),
      tf.fill([batch, height, width, 1], foregroundWeight),
      tf.ones([batch, height, width, 1]),
    ) as tf.Tensor4D;
  });
}

/**
 * The weighted L1 distance between each fake and the real image of its caption,
 * `sum(w * |fake - real|) / (sum(w) * channels)`: a pix2pix-style paired term (not in the paper) for
 * data whose captions fix the layout, where it tells G directly which object goes where.
 * @param fake `[batch, height, width, channels]`.
 * @param real the same shape, the images the captions describe.
 * @param pixelWeights `[batch, height, width, 1]`, e.g. {@link foregroundPixelWeights}.
 */
export function reconstructionLoss(
  fake: tf.Tensor4D,
  real: tf.Tensor4D,
  pixelWeights: tf.Tensor4D,
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.div(
        tf.sum(tf.mul(tf.abs(tf.sub(fake, real)), pixelWeights)),
        tf.mul(tf.sum(pixelWeights), fake.shape[3]),
      ) as tf.Scalar,
  );
}

/** The contrastive CLIP term of {@link generatorLosses}. */
export interface ClipContrastTerm {
  /** `[batch, choices, embedDim]`, see {@link clipContrastLoss}. */
  choices: tf.Tensor3D;
  /** Its weight in the G loss. */
  weight: number;
  /** `exp(logit_scale)` of the CLIP that embedded the choices. */
  logitScale: number;
}

/** The paired reconstruction term of {@link generatorLosses}. */
export interface ReconstructionTerm {
  /** The generated images `[batch, height, width, channels]`. */
  fake: tf.Tensor4D;
  /** The real images their captions describe, the same shape. */
  real: tf.Tensor4D;
  /** `[batch, height, width, 1]`, see {@link foregroundPixelWeights}. */
  pixelWeights: tf.Tensor4D;
  /** Its weight in the G loss. */
  weight: number;
}

/** The optional terms (not in the paper) of {@link generatorLosses}. */
export interface GeneratorLossTerms {
  /** The contrastive CLIP term. Default: none. */
  contrast?: ClipContrastTerm;
  /** The paired reconstruction term. Default: none. */
  reconstruction?: ReconstructionTerm;
}

/** The generator's losses of one iteration (scalars). */
export interface GeneratorLosses {
  /** `-mean(C(D(fake), s))`. */
  readonly adversarial: tf.Scalar;
  /** `mean(cos(fake embedding, s))`. */
  readonly clipSimilarity: tf.Scalar;
  /** {@link clipContrastLoss}, 0 without a contrast term. */
  readonly clipContrast: tf.Scalar;
  /** {@link reconstructionLoss}, 0 without a reconstruction term. */
  readonly reconstruction: tf.Scalar;
  /**
   * `adversarial - clipLossWeight * clipSimilarity + contrast.weight * clipContrast +
   * reconstruction.weight * reconstruction`.
   */
  readonly total: tf.Scalar;
}

/**
 * The official G loss, `-mean C(D(fake), s) - w * mean cos(fake embedding, s)`, plus the optional
 * contrastive CLIP and reconstruction terms.
 * @param fakeFeatures `[batch, taps, grid, grid, width]` of the fakes.
 * @param fakeEmbedding `[batch, embedDim]` of the fakes.
 * @param clipLossWeight w (official 4).
 */
export function generatorLosses(
  netD: NetDParams,
  netC: NetCParams,
  fakeFeatures: tf.Tensor,
  fakeEmbedding: tf.Tensor,
  sentences: tf.Tensor,
  clipLossWeight: number,
  terms: GeneratorLossTerms = {},
): GeneratorLosses {
  return tf.tidy(() => {
    const adversarial = tf.neg(
      tf.mean(netCForward(netC, netDForward(netD, fakeFeatures), sentences)),
    ) as tf.Scalar;
    const clipSimilarity = tf.mean(cosineSimilarity(fakeEmbedding, sentences)) as tf.Scalar;
    let total = tf.sub(adversarial, tf.mul(clipSimilarity, clipLossWeight)) as tf.Scalar;
    const { contrast, reconstruction } = terms;
    const clipContrast = contrast
      ? clipContrastLoss(fakeEmbedding, contrast.choices, contrast.logitScale)
      : tf.scalar(0);
    if (contrast) total = tf.add(total, tf.mul(clipContrast, contrast.weight));
    const paired = reconstruction
      ? reconstructionLoss(reconstruction.fake, reconstruction.real, reconstruction.pixelWeights)
      : tf.scalar(0);
    if (reconstruction) total = tf.add(total, tf.mul(paired, reconstruction.weight));
    return { adversarial, clipSimilarity, clipContrast, reconstruction: paired, total };
  });
}
