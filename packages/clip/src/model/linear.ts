import * as tf from '@tensorflow/tfjs';
import type { LinearParameters } from './residual-block-parameters';

/**
 * A dense layer on the last axis: `x @ weight + bias`.
 * @param x `[..., in]`.
 * @returns `[..., out]`.
 */
export function linear(x: tf.Tensor, parameters: LinearParameters): tf.Tensor {
  return tf.tidy(() => {
    const [inputs, outputs] = parameters.weight.shape;
    const flat = x.reshape([-1, inputs]) as tf.Tensor2D;
    const y = tf.matMul(flat, parameters.weight).add(parameters.bias);
    return y.reshape([...x.shape.slice(0, -1), outputs]);
  });
}
