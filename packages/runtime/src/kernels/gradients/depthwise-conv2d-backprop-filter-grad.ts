import * as tf from '@tensorflow/tfjs';

/**
 * Gradient of `DepthwiseConv2dNativeBackpropFilter` (tfjs registers none). Bilinear in (x, dy): with G
 * the incoming gradient, d/dx = depthwiseConv2dNativeBackpropInput(dy, G), d/ddy = depthwiseConv2d(x, G).
 */
export const depthwiseConv2dNativeBackpropFilterGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (upstream, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const filterGradient = upstream as tf.Tensor4D;
    const { strides, dilations, pad, dimRoundingMode } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    return {
      x: () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: filterGradient }, {
          strides,
          dilations,
          pad,
          dimRoundingMode,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
      dy: () => tf.depthwiseConv2d(x, filterGradient, strides, pad, 'NHWC', dilations, dimRoundingMode),
    };
  },
};
