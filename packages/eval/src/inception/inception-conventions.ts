/**
 * The two Inception-v3 weight conventions FID figures are computed with. They share the
 * convolutions and differ in input normalisation, the pooling inside some Inception branches, and
 * the classifier size (which identifies the weight file).
 */

/** How a `branch_pool` pools before its 1x1 conv (3x3 window, stride 1, padding 1). */
export type BranchPool =
  /** Average over the window including the zero padding (PyTorch `count_include_pad=True`). */
  | 'average-include-padding'
  /** Average over the in-image part of the window (PyTorch `count_include_pad=False`, TF's SAME). */
  | 'average-exclude-padding'
  /** Max over the window. */
  | 'max';

/** Names of the supported conventions. */
export type InceptionConventionName = 'pytorch-fid' | 'torchvision-imagenet';

/** Everything that makes features (and so FID figures) of one convention comparable. */
export interface InceptionConvention {
  name: InceptionConventionName;
  /** One-line description for reports. */
  summary: string;
  /** Where the weights come from. */
  weights: string;
  /** Rows of `fc.weight` in this convention's state_dict; checked when the file has an `fc`. */
  classifierClasses: number;
  /** Per-channel `x * scale + shift` applied to the resized [0,1] RGB image. */
  inputScale: readonly [number, number, number];
  inputShift: readonly [number, number, number];
  /** The normalisation as a formula, for reports. */
  normalisation: string;
  /** Branch pool of InceptionA (Mixed_5b/c/d) and InceptionC (Mixed_6b..e). */
  poolA: BranchPool;
  poolC: BranchPool;
  /** Branch pool of the first InceptionE (Mixed_7b) and the second (Mixed_7c). */
  poolE: readonly [BranchPool, BranchPool];
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** The registry of conventions, by name. */
export const INCEPTION_CONVENTIONS: Readonly<Record<InceptionConventionName, InceptionConvention>> = {
  'pytorch-fid': {
    name: 'pytorch-fid',
    summary:
      "pytorch-fid's FID Inception (TF 2015 weights, FIDInceptionA/C/E_1/E_2), the standard FID network",
    weights: 'pt_inception-2015-12-05-6726825d.pth (pytorch-fid FID_WEIGHTS_URL)',
    classifierClasses: 1008,
    inputScale: [2, 2, 2],
    inputShift: [-1, -1, -1],
    normalisation: '2x - 1 on the [0,1] image',
    poolA: 'average-exclude-padding',
    poolC: 'average-exclude-padding',
    poolE: ['average-exclude-padding', 'max'],
  },
  'torchvision-imagenet': {
    name: 'torchvision-imagenet',
    summary:
      "torchvision's ImageNet inception_v3(pretrained=True) through the old pytorch-fid wrapper, as DF-GAN, GALIP and RATLIP report FID",
    weights: 'inception_v3_google-0cc3c7bd.pth (torchvision IMAGENET1K_V1)',
    classifierClasses: 1000,
    inputScale: [IMAGENET_STD[0] / 0.5, IMAGENET_STD[1] / 0.5, IMAGENET_STD[2] / 0.5],
    inputShift: [
      (IMAGENET_MEAN[0] - 0.5) / 0.5,
      (IMAGENET_MEAN[1] - 0.5) / 0.5,
      (IMAGENET_MEAN[2] - 0.5) / 0.5,
    ],
    normalisation: 'x * std/0.5 + (mean - 0.5)/0.5 per channel on the [0,1] image (ImageNet mean/std)',
    poolA: 'average-include-padding',
    poolC: 'average-include-padding',
    poolE: ['average-include-padding', 'average-include-padding'],
  },
};

/** The convention named `name`; throws listing the known names otherwise. */
export function inceptionConvention(name: string): InceptionConvention {
  const convention = (INCEPTION_CONVENTIONS as Record<string, InceptionConvention | undefined>)[name];
  if (!convention) {
    throw new Error(
      `unknown Inception convention '${name}'; expected one of ${Object.keys(INCEPTION_CONVENTIONS).join(', ')}`,
    );
  }
  return convention;
}
