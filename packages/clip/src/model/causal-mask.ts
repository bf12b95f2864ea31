import * as tf from '@tensorflow/tfjs';

/**
 * The additive causal attention mask of CLIP's text transformer: 0 where a token may attend
 * (column <= row) and -Infinity above the diagonal.
 * @param length tokens per sequence.
 * @returns `[length, length]` float32, owned by the caller.
 */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let row = 0; row < length; row++) {
    values.fill(Number.NEGATIVE_INFINITY, row * length + row + 1, (row + 1) * length);
  }
  return tf.tensor2d(values, [length, length]);
}
