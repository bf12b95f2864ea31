import * as tf from '@tensorflow/tfjs';

/** A target spatial size: one number for square outputs, or `[height, width]`. */
export type SpatialSize = number | readonly [number, number];

/** `[height, width]` of a {@link SpatialSize}, validated. */
export function spatialSize(size: SpatialSize): [number, number] {
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new Error(`upsample size: expected positive integers, got ${JSON.stringify(size)}`);
  }
  return [height, width];
}

/**
 * PyTorch's legacy `F.interpolate(x, size)` (mode 'nearest'): output pixel i reads input floor(i * in / out),
 * which is `tf.image.resizeNearestNeighbor` with alignCorners = false and halfPixelCenters = false. Works
 * for down-sampling and uneven ratios (e.g. 128 -> 224).
 * @param x `[batch, height, width, channels]`.
 * @returns `[batch, size[0], size[1], channels]`.
 */
export function nearestUpsample(x: tf.Tensor, size: SpatialSize): tf.Tensor4D {
  const [height, width] = spatialSize(size);
  if (x.rank !== 4)
    throw new Error(
      `nearestUpsample: x must be [batch, height, width, channels], got [${x.shape.join(', ')}]`,
    );
  if (x.shape[1] === height && x.shape[2] === width) return tf.clone(x) as tf.Tensor4D;
  return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [height, width], false, false);
}
