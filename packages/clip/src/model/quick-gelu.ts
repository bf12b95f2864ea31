import * as tf from '@tensorflow/tfjs';

/** CLIP's activation, QuickGELU: `x * sigmoid(1.702 x)`. Any shape; differentiable. */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.sigmoid(x.mul(1.702))));
}
