import * as tf from '@tensorflow/tfjs';

/**
 * Gradient of `DepthwiseConv2dNativeBackpropInput` (tfjs registers none), so a gradient penalty through
 * a depthwise convolution can be trained. Bilinear in (dy, filter): with G the incoming gradient,
 * d/ddy = depthwiseConv2d(G, filter) and d/dfilter = depthwiseConv2dNativeBackpropFilter(G, dy).
 */
export const depthwiseConv2dNativeBackpropInputGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (upstream, saved, attrs) => {
    const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const inputGradient = upstream as tf.Tensor4D;
    const { strides, dilations, pad, dimRoundingMode } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    return {
      dy: () => tf.depthwiseConv2d(inputGradient, filter, strides, pad, 'NHWC', dilations, dimRoundingMode),
      filter: () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x: inputGradient, dy }, {
          strides,
          dilations,
          pad,
          dimRoundingMode,
          filterShape: filter.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
    };
  },
};
