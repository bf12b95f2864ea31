import * as tf from '@tensorflow/tfjs';
import { transposedConvolution } from './transposed-convolution';
import { withWasmKernels } from './wasm-kernel-scope';

/**
 * `DepthwiseConv2dNativeBackpropInput` (the input gradient of tf.depthwiseConv2d) on wasm, which stock
 * wasm lacks: a depthwise forward convolution of dy with the flipped filter (one filter per output
 * channel c*multiplier + q), then a sum over the channel multiplier. NHWC, any padding, strides or
 * dilations.
 */
function depthwiseConv2dNativeBackpropInput({
  inputs,
  backend,
  attrs,
}: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape, strides, dilations, pad, dimRoundingMode } =
    attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const [filterHeight, filterWidth, channels, multiplier] = filter.shape as [number, number, number, number];
  return withWasmKernels(backend, (scope) =>
    transposedConvolution(scope, {
      dy,
      inShape: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
      filter: scope.reshape(filter, [filterHeight, filterWidth, channels * multiplier, 1]),
      rows: {
        inSize: info.inHeight,
        outSize: info.outHeight,
        filterSize: info.filterHeight,
        stride: info.strideHeight,
        dilation: info.dilationHeight,
        padBefore: info.padInfo.top,
      },
      cols: {
        inSize: info.inWidth,
        outSize: info.outWidth,
        filterSize: info.filterWidth,
        stride: info.strideWidth,
        dilation: info.dilationWidth,
        padBefore: info.padInfo.left,
      },
      convolve: (input, taps, explicitPad, tapDilations) => {
        const perOutputChannel = scope.run(
          tf.DepthwiseConv2dNative,
          { x: input, filter: taps },
          { strides: [1, 1], pad: explicitPad, dilations: tapDilations },
        );
        if (multiplier === 1) return perOutputChannel;
        const [batch, rows, cols] = perOutputChannel.shape as [number, number, number, number];
        return scope.sum(scope.reshape(perOutputChannel, [batch, rows, cols, channels, multiplier]), [4]);
      },
    }),
  );
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
