import * as tf from '@tensorflow/tfjs';

/**
 * Gradient of `Conv2DBackpropFilter` (tfjs registers none), so a loss that contains a conv filter
 * gradient can itself be differentiated. The filter gradient is bilinear in (x, dy); with G the
 * incoming gradient, d/dx = conv2dBackpropInput(dy, G) and d/ddy = conv2d(x, G).
 */
export const conv2DBackpropFilterGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (upstream, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const filterGradient = upstream as tf.Tensor4D;
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return {
      x: () =>
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: filterGradient }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
      dy: () => tf.conv2d(x, filterGradient, strides, pad, dataFormat, 1, dimRoundingMode),
    };
  },
};
