import * as tf from '@tensorflow/tfjs';
import { CLIP_MEAN, CLIP_STD } from './clip-normalization';

/**
 * How [0, 1] pixels are shifted before CLIP's mean/std:
 * - `ratlip`: the reference's `transf_to_CLIP_input` applies `(v + 1) / 2` a second time, so a
 *   generator pixel x in [-1, 1] reaches the normalisation as `0.25 x + 0.75`.
 * - `standard`: no second shift (`0.5 x + 0.5`), what CLIP itself expects.
 */
export type ClipInputQuirk = 'ratlip' | 'standard';

const QUIRKS: Readonly<Record<ClipInputQuirk, (unit: tf.Tensor) => tf.Tensor>> = {
  ratlip: (unit) => unit.add(1).mul(0.5),
  standard: (unit) => unit,
};

/** Options of {@link generatedImagesToClipInput}. */
export interface GeneratedToClipOptions {
  /** The CLIP input side in pixels (the model's `imageSize`). Default 224. */
  imageSize?: number;
  /**
   * Default `'ratlip'`: RATLIP and GALIP (inherited from GALIP's code) use the double shift everywhere
   * CLIP sees images — real and fake images in the discriminator, the generator's CLIP loss and the
   * evaluation CLIP score. Trained checkpoints and the published CLIP scores depend on it, so it is
   * kept by default for faithful training, fine-tuning and metrics; `'standard'` is the plain mapping.
   */
  quirk?: ClipInputQuirk;
  /** Per-channel mean. Default {@link CLIP_MEAN}. */
  mean?: readonly number[];
  /** Per-channel standard deviation. Default {@link CLIP_STD}. */
  std?: readonly number[];
}

/**
 * RATLIP's CLIP input pipeline for generator outputs (and for real images scaled to [-1, 1]):
 * `x * 0.5 + 0.5`, legacy nearest resize to `imageSize` (PyTorch `F.interpolate` default, i.e.
 * `source = floor(target * in / out)`), the quirk shift, then `(v - mean) / std`. Differentiable in
 * `images`, so the generator trains through it.
 * @param images `[batch, height, width, 3]`, nominally in [-1, 1] (not clamped, as in the reference).
 * @returns `[batch, imageSize, imageSize, 3]`.
 */
export function generatedImagesToClipInput(
  images: tf.Tensor4D,
  options: GeneratedToClipOptions = {},
): tf.Tensor4D {
  const size = options.imageSize ?? 224;
  const quirk = QUIRKS[options.quirk ?? 'ratlip'];
  if (!quirk) {
    throw new Error(
      `generatedImagesToClipInput: unknown quirk '${options.quirk}'; known: ${Object.keys(QUIRKS).join(', ')}`,
    );
  }
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new Error(
      `generatedImagesToClipInput: images must be [batch, height, width, 3], got [${images.shape.join(', ')}]`,
    );
  }
  const mean = options.mean ?? CLIP_MEAN;
  const std = options.std ?? CLIP_STD;
  return tf.tidy(() => {
    const unit = images.mul(0.5).add(0.5) as tf.Tensor4D;
    const [, height, width] = images.shape;
    const resized =
      height === size && width === size
        ? unit
        : tf.image.resizeNearestNeighbor(unit, [size, size], false, false);
    return quirk(resized)
      .sub(tf.tensor1d([...mean]))
      .div(tf.tensor1d([...std])) as tf.Tensor4D;
  });
}
