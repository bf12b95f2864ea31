import * as tf from '@tensorflow/tfjs';
import { withWasmKernels } from './wasm-kernel-scope';

/**
 * `DepthwiseConv2dNativeBackpropFilter` (the filter gradient of tf.depthwiseConv2d) on wasm, which stock
 * wasm lacks. As for conv2d, batch and channels swap roles: x becomes one image whose channels are the
 * (channel, batch) pairs, dy becomes a depthwise filter [outHeight, outWidth, channels*batch, multiplier]
 * dilated by the original stride (and strided by the original dilation), and a sum over the batch
 * finishes the job. NHWC, any padding, strides or dilations.
 */
function depthwiseConv2dNativeBackpropFilter({
  inputs,
  backend,
  attrs,
}: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const [filterHeight, filterWidth, channels, multiplier] = filterShape;
  const { batchSize: batch, inHeight, inWidth, outHeight, outWidth } = info;
  const spanHeight = (filterHeight - 1) * info.dilationHeight + (outHeight - 1) * info.strideHeight + 1;
  const spanWidth = (filterWidth - 1) * info.dilationWidth + (outWidth - 1) * info.strideWidth + 1;
  return withWasmKernels(backend, (scope) => {
    const image = scope.reshape(scope.transpose(x, [1, 2, 3, 0]), [1, inHeight, inWidth, channels * batch]);
    const dyFilter = scope.reshape(
      scope.transpose(scope.reshape(dy, [batch, outHeight, outWidth, channels, multiplier]), [1, 2, 3, 0, 4]),
      [outHeight, outWidth, channels * batch, multiplier],
    );
    const { input, pad: explicitPad } = scope.cropForPadding(image, [
      [info.padInfo.top, spanHeight - inHeight - info.padInfo.top],
      [info.padInfo.left, spanWidth - inWidth - info.padInfo.left],
    ]);
    const perBatch = scope.run(
      tf.DepthwiseConv2dNative,
      { x: input, filter: dyFilter },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad: explicitPad,
      },
    );
    const split = scope.reshape(perBatch, [filterHeight, filterWidth, channels, batch, multiplier]);
    return batch === 1
      ? scope.reshape(split, [filterHeight, filterWidth, channels, multiplier])
      : scope.sum(split, [3]);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
