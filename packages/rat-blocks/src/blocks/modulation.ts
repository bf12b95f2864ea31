import * as tf from '@tensorflow/tfjs';

/** Per-channel scale and shift produced by an affine's heads, each `[batch, channels]` or `[1, channels]`. */
export type Modulation = {
  readonly gamma: tf.Tensor2D;
  readonly beta: tf.Tensor2D;
};

/**
 * Scale and shift that vary with the place, each `[batch, height, width, channels]`, added to an affine's
 * per-channel ones: `(gamma + scale) * x + beta + shift`.
 */
export type PlaceModulation = {
  readonly scale: tf.Tensor4D;
  readonly shift: tf.Tensor4D;
};

/**
 * `gamma * x + beta`, broadcast over height and width (and over the batch when `[1, channels]`).
 * @param x `[batch, height, width, channels]`.
 */
export function applyModulation(x: tf.Tensor, modulation: Modulation): tf.Tensor4D {
  const channels = x.shape[3];
  if (x.rank !== 4 || modulation.gamma.shape[1] !== channels) {
    throw new Error(
      `affine: x must be [batch, height, width, ${modulation.gamma.shape[1]}] to match the heads, got [${x.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const gamma = tf.reshape(modulation.gamma, [-1, 1, 1, channels!]);
    const beta = tf.reshape(modulation.beta, [-1, 1, 1, channels!]);
    return tf.add(tf.mul(x, gamma), beta) as tf.Tensor4D;
  });
}
