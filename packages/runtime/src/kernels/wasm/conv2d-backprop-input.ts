import * as tf from '@tensorflow/tfjs';
import { transposedConvolution } from './transposed-convolution';
import { withWasmKernels } from './wasm-kernel-scope';

/**
 * `Conv2DBackpropInput` (the input gradient of tf.conv2d, also tf.conv2dTranspose) on wasm, built from
 * XNNPACK forward convolutions. It replaces the stock wasm kernel, a scalar loop about 10x slower than
 * a forward convolution of the same size. Handles 'same', 'valid' and explicit padding, any stride,
 * NHWC and NCHW.
 */
function conv2DBackpropInput({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } =
    attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const channelsLast = info.dataFormat === 'channelsLast';
  return withWasmKernels(backend, (scope) => {
    const dx = transposedConvolution(scope, {
      dy: channelsLast ? dy : scope.transpose(dy, [0, 2, 3, 1]),
      inShape: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
      // [height, width, outChannels, inChannels]: dy's channels are this convolution's input channels.
      filter: scope.transpose(filter, [0, 1, 3, 2]),
      rows: {
        inSize: info.inHeight,
        outSize: info.outHeight,
        filterSize: info.filterHeight,
        stride: info.strideHeight,
        dilation: 1,
        padBefore: info.padInfo.top,
      },
      cols: {
        inSize: info.inWidth,
        outSize: info.outWidth,
        filterSize: info.filterWidth,
        stride: info.strideWidth,
        dilation: 1,
        padBefore: info.padInfo.left,
      },
      convolve: (input, taps, explicitPad, dilations) =>
        scope.run(
          tf.Conv2D,
          { x: input, filter: taps },
          { strides: [1, 1], pad: explicitPad, dilations, dataFormat: 'NHWC' },
        ),
    });
    return channelsLast ? dx : scope.transpose(dx, [0, 3, 1, 2]);
  });
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
