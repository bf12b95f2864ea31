import * as tf from '@tensorflow/tfjs';

/**
 * Leaky ReLU written as `((1 + alpha) / 2) * x + ((1 - alpha) / 2) * |x|`, equal to
 * `tf.leakyRelu(x, alpha)` for 0 <= alpha <= 1 but differentiable twice: tf.leakyRelu's gradient
 * uses Greater, which has no gradient, so a gradient penalty (MA-GP) through it would fail.
 *
 * @param x any shape.
 * @param alpha slope for negative inputs, e.g. 0.2 (DF blocks, D) or 0.01 (PyTorch's default).
 */
export function leakyRelu<T extends tf.Tensor>(x: T, alpha: number): T {
  return tf.tidy(() => tf.add(tf.mul(x, (1 + alpha) / 2), tf.mul(tf.abs(x), (1 - alpha) / 2))) as T;
}
