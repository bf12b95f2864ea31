/**
 * The Inception-v3 graph up to the 2048-d pool3 features, as data: every BasicConv2d (conv without
 * bias, BatchNorm eps 0.001, ReLU) with its PyTorch state_dict prefix, shapes, stride and padding.
 * torchvision's `inception_v3` and pytorch-fid's FID Inception share these convolutions; they
 * differ in the branch pools and the classifier (see inception-conventions.ts).
 */

/** One BasicConv2d: `<name>.conv.weight [out, in, kh, kw]` and `<name>.bn.{weight,bias,running_mean,running_var} [out]`. */
export interface BasicConvSpec {
  /** state_dict prefix, e.g. `'Mixed_5b.branch5x5_2'`. */
  name: string;
  inChannels: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: 1 | 2;
  /** `'same'` = PyTorch padding (kh/2, kw/2) at stride 1; `'valid'` = no padding. */
  padding: 'same' | 'valid';
}

/** The Inception module kinds, by their torchvision class names. */
export type InceptionModuleKind = 'A' | 'B' | 'C' | 'D' | 'E';

/** One Mixed_* module of the graph. */
export interface InceptionModuleSpec {
  name: string;
  kind: InceptionModuleKind;
  inChannels: number;
  outChannels: number;
  /** Index among the modules of the same kind (Mixed_7b is E #0, Mixed_7c is E #1). */
  indexInKind: number;
}

/** BatchNorm epsilon of every BasicConv2d. */
export const INCEPTION_BATCH_NORM_EPSILON = 0.001;
/** Input side length the network expects (images are resized to it). */
export const INCEPTION_INPUT_SIZE = 299;
/** Width of the pool3 features. */
export const INCEPTION_FEATURE_DIM = 2048;

function conv(
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: number | [number, number],
  options: { stride?: 1 | 2; padding?: 'same' | 'valid' } = {},
): BasicConvSpec {
  const [kernelHeight, kernelWidth] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
  const padding = options.padding ?? (kernelHeight === 1 && kernelWidth === 1 ? 'valid' : 'same');
  return { name, inChannels, outChannels, kernelHeight, kernelWidth, stride: options.stride ?? 1, padding };
}

/** The stem convolutions, in order (max-pools after Conv2d_2b_3x3 and Conv2d_4a_3x3). */
export const STEM_CONVS: readonly BasicConvSpec[] = [
  conv('Conv2d_1a_3x3', 3, 32, 3, { stride: 2, padding: 'valid' }),
  conv('Conv2d_2a_3x3', 32, 32, 3, { padding: 'valid' }),
  conv('Conv2d_2b_3x3', 32, 64, 3),
  conv('Conv2d_3b_1x1', 64, 80, 1),
  conv('Conv2d_4a_3x3', 80, 192, 3, { padding: 'valid' }),
];

function moduleConvs(
  module: InceptionModuleSpec,
  poolFeatures: number,
  channels7x7: number,
): BasicConvSpec[] {
  const p = (branch: string) => `${module.name}.${branch}`;
  const c = module.inChannels;
  switch (module.kind) {
    case 'A':
      return [
        conv(p('branch1x1'), c, 64, 1),
        conv(p('branch5x5_1'), c, 48, 1),
        conv(p('branch5x5_2'), 48, 64, 5),
        conv(p('branch3x3dbl_1'), c, 64, 1),
        conv(p('branch3x3dbl_2'), 64, 96, 3),
        conv(p('branch3x3dbl_3'), 96, 96, 3),
        conv(p('branch_pool'), c, poolFeatures, 1),
      ];
    case 'B':
      return [
        conv(p('branch3x3'), c, 384, 3, { stride: 2, padding: 'valid' }),
        conv(p('branch3x3dbl_1'), c, 64, 1),
        conv(p('branch3x3dbl_2'), 64, 96, 3),
        conv(p('branch3x3dbl_3'), 96, 96, 3, { stride: 2, padding: 'valid' }),
      ];
    case 'C': {
      const c7 = channels7x7;
      return [
        conv(p('branch1x1'), c, 192, 1),
        conv(p('branch7x7_1'), c, c7, 1),
        conv(p('branch7x7_2'), c7, c7, [1, 7]),
        conv(p('branch7x7_3'), c7, 192, [7, 1]),
        conv(p('branch7x7dbl_1'), c, c7, 1),
        conv(p('branch7x7dbl_2'), c7, c7, [7, 1]),
        conv(p('branch7x7dbl_3'), c7, c7, [1, 7]),
        conv(p('branch7x7dbl_4'), c7, c7, [7, 1]),
        conv(p('branch7x7dbl_5'), c7, 192, [1, 7]),
        conv(p('branch_pool'), c, 192, 1),
      ];
    }
    case 'D':
      return [
        conv(p('branch3x3_1'), c, 192, 1),
        conv(p('branch3x3_2'), 192, 320, 3, { stride: 2, padding: 'valid' }),
        conv(p('branch7x7x3_1'), c, 192, 1),
        conv(p('branch7x7x3_2'), 192, 192, [1, 7]),
        conv(p('branch7x7x3_3'), 192, 192, [7, 1]),
        conv(p('branch7x7x3_4'), 192, 192, 3, { stride: 2, padding: 'valid' }),
      ];
    case 'E':
      return [
        conv(p('branch1x1'), c, 320, 1),
        conv(p('branch3x3_1'), c, 384, 1),
        conv(p('branch3x3_2a'), 384, 384, [1, 3]),
        conv(p('branch3x3_2b'), 384, 384, [3, 1]),
        conv(p('branch3x3dbl_1'), c, 448, 1),
        conv(p('branch3x3dbl_2'), 448, 384, 3),
        conv(p('branch3x3dbl_3a'), 384, 384, [1, 3]),
        conv(p('branch3x3dbl_3b'), 384, 384, [3, 1]),
        conv(p('branch_pool'), c, 192, 1),
      ];
  }
}

const MODULE_TABLE: ReadonlyArray<[string, InceptionModuleKind, number, number, number, number]> = [
  // name, kind, in, out, pool_features (A) / channels_7x7 (C), index in kind
  ['Mixed_5b', 'A', 192, 256, 32, 0],
  ['Mixed_5c', 'A', 256, 288, 64, 1],
  ['Mixed_5d', 'A', 288, 288, 64, 2],
  ['Mixed_6a', 'B', 288, 768, 0, 0],
  ['Mixed_6b', 'C', 768, 768, 128, 0],
  ['Mixed_6c', 'C', 768, 768, 160, 1],
  ['Mixed_6d', 'C', 768, 768, 160, 2],
  ['Mixed_6e', 'C', 768, 768, 192, 3],
  ['Mixed_7a', 'D', 768, 1280, 0, 0],
  ['Mixed_7b', 'E', 1280, 2048, 0, 0],
  ['Mixed_7c', 'E', 2048, 2048, 0, 1],
];

/** The Mixed_* modules in order, with their convolutions. */
export const INCEPTION_MODULES: ReadonlyArray<InceptionModuleSpec & { convs: readonly BasicConvSpec[] }> =
  MODULE_TABLE.map(([name, kind, inChannels, outChannels, width, indexInKind]) => {
    const module: InceptionModuleSpec = { name, kind, inChannels, outChannels, indexInKind };
    return { ...module, convs: moduleConvs(module, width, width) };
  });

/** Every BasicConv2d of the graph up to pool3, in forward order. */
export const INCEPTION_CONVS: readonly BasicConvSpec[] = [
  ...STEM_CONVS,
  ...INCEPTION_MODULES.flatMap((module) => module.convs),
];

/** The five state_dict entries of one BasicConv2d that the feature extractor reads. */
export function basicConvParameterShapes(spec: BasicConvSpec): Array<[string, number[]]> {
  const channels = [spec.outChannels];
  return [
    [`${spec.name}.conv.weight`, [spec.outChannels, spec.inChannels, spec.kernelHeight, spec.kernelWidth]],
    [`${spec.name}.bn.weight`, channels],
    [`${spec.name}.bn.bias`, channels],
    [`${spec.name}.bn.running_mean`, channels],
    [`${spec.name}.bn.running_var`, channels],
  ];
}

/** Name to shape of every state_dict tensor the pool3 extractor needs (fc and AuxLogits excluded). */
export function inceptionFeatureParameterShapes(): Map<string, number[]> {
  return new Map(INCEPTION_CONVS.flatMap(basicConvParameterShapes));
}

/**
 * Trainable parameters of the pool3 extractor (conv weights plus BatchNorm weight and bias, as
 * PyTorch's `parameters()` counts them): 21,785,568.
 */
export function inceptionFeatureParameterCount(): number {
  let total = 0;
  for (const spec of INCEPTION_CONVS) {
    total += spec.outChannels * spec.inChannels * spec.kernelHeight * spec.kernelWidth + 2 * spec.outChannels;
  }
  return total;
}
