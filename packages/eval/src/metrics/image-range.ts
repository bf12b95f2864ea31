import * as tf from '@tensorflow/tfjs';

/** Value range of incoming images. */
export type ImageRange = 'minus-one-to-one' | 'zero-to-one';

interface ImageRangeSpec {
  /** How images in this range are brought to [0, 1], for reports. */
  mapping: string;
  /** `[batch, h, w, 3]` in the range to `[batch, h, w, 3]` in [0, 1]. */
  toUnit(images: tf.Tensor4D): tf.Tensor4D;
}

/** The registry of input ranges: generator outputs are [-1, 1], decoded files [0, 1]. */
export const IMAGE_RANGES: Readonly<Record<ImageRange, ImageRangeSpec>> = {
  'minus-one-to-one': {
    mapping: 'clamp to [-1, 1], then (x + 1) / 2 (the reference pipeline for generated images)',
    toUnit: (images) => tf.tidy(() => tf.div(tf.add(tf.clipByValue(images, -1, 1), 1), 2) as tf.Tensor4D),
  },
  'zero-to-one': {
    mapping: 'clamp to [0, 1]',
    toUnit: (images) => tf.tidy(() => tf.clipByValue(images, 0, 1) as tf.Tensor4D),
  },
};

/** The spec of `range`; throws listing the known ranges otherwise. */
export function imageRange(range: string): ImageRangeSpec {
  const spec = (IMAGE_RANGES as Record<string, ImageRangeSpec | undefined>)[range];
  if (!spec)
    throw new Error(
      `unknown image range '${range}'; expected one of ${Object.keys(IMAGE_RANGES).join(', ')}`,
    );
  return spec;
}
