import * as tf from '@tensorflow/tfjs';

/**
 * Gradient of `AvgPoolGrad` (tfjs registers none): it is the adjoint of average pooling and linear in
 * dy, so its gradient with respect to dy is average pooling of the incoming gradient; the input only
 * gives the shape.
 */
export const avgPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (upstream, saved, attrs) => {
    const [input] = saved as [tf.Tensor4D];
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    return {
      input: () => tf.zerosLike(input),
      dy: () => tf.avgPool(upstream as tf.Tensor4D, filterSize, strides, pad),
    };
  },
};
