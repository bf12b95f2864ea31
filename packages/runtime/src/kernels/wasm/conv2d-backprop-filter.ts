import * as tf from '@tensorflow/tfjs';
import { withWasmKernels } from './wasm-kernel-scope';

/**
 * `Conv2DBackpropFilter` (the filter gradient of tf.conv2d) on wasm, which stock wasm lacks.
 *
 * dW[kh, kw, ci, co] = sum over b, i, j of x[b, i*s + kh - pad, j*s + kw - pad, ci] * dy[b, i, j, co],
 * which is a forward convolution of x with batch and channels swapped ([ci, H, W, b]) by dy used as a
 * filter ([outHeight, outWidth, b, co]) whose dilation is the original stride. It runs on XNNPACK.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const channelsLast = info.dataFormat === 'channelsLast';
  // Padding that makes the swapped convolution produce exactly filterHeight x filterWidth outputs.
  const bottom =
    info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - info.padInfo.top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - info.padInfo.left;
  return withWasmKernels(backend, (scope) => {
    const swappedX = scope.transpose(x, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]);
    const dyFilter = scope.transpose(dy, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]);
    const { input, pad: explicitPad } = scope.cropForPadding(swappedX, [
      [info.padInfo.top, bottom],
      [info.padInfo.left, right],
    ]);
    const swappedGradient = scope.run(
      tf.Conv2D,
      { x: input, filter: dyFilter },
      {
        strides: [1, 1],
        pad: explicitPad,
        dilations: [info.strideHeight, info.strideWidth],
        dataFormat: 'NHWC',
      },
    );
    return scope.transpose(swappedGradient, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
