import type * as tf from '@tensorflow/tfjs';
import { registerHigherOrderGradients } from './register-higher-order-gradients';
import { replaceKernel } from './replace-kernel';
import { wasmResizeBilinearGradConfig } from './resize/resize-bilinear-grad';
import { wasmResizeNearestNeighborGradConfig } from './resize/resize-nearest-neighbor-grad';
import { batchMatMulKernelFactories } from './wasm/batch-mat-mul';
import { broadcastBinaryKernelFactories } from './wasm/broadcast-binary';
import { conv2DBackpropFilterConfig } from './wasm/conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm/conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './wasm/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './wasm/depthwise-conv2d-backprop-input';
import { reverseKernelFactories } from './wasm/reverse';
import { heapSliceKernelFactories } from './wasm/slice';
import { unsortedSegmentSumConfig } from './wasm/unsorted-segment-sum';
import { wrapStockKernel } from './wrap-stock-kernel';

/** The kernels training needs that stock tfjs-backend-wasm 4.22 lacks, runs slowly, or gets wrong. */
const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  wasmResizeBilinearGradConfig,
  wasmResizeNearestNeighborGradConfig,
];

/** Stock wasm kernels that are correct but slow on the shapes training produces, and their faster wrappers. */
const wasmKernelWrappers = {
  ...batchMatMulKernelFactories,
  ...broadcastBinaryKernelFactories,
  ...heapSliceKernelFactories,
  ...reverseKernelFactories,
};

/** Names of the kernels {@link registerWasmTrainingKernels} installs for the 'wasm' backend. */
export const wasmTrainingKernelNames: readonly string[] = [
  ...wasmTrainingKernels.map((config) => config.kernelName),
  ...Object.keys(wasmKernelWrappers),
];

/**
 * Installs for the 'wasm' backend what training needs: `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput` and `UnsortedSegmentSum`
 * (tf.gather's gradient), which stock wasm lacks; a `Conv2DBackpropInput` built on XNNPACK forward
 * convolutions, replacing the stock scalar loop (about 10x slower); resize gradients that honour
 * halfPixelCenters; `BatchMatMul` routed onto XNNPACK for transposed and shared-weight products, and
 * `Slice`/`SplitV`/`Unpack` that copy only the slice, a block-copy `Reverse`. Also registers the higher-order gradients ({@link registerHigherOrderGradients}).
 *
 * Call it after `@tensorflow/tfjs-backend-wasm` has been imported (its import registers the stock
 * kernels and would put them back); useBackend('wasm') does both. Idempotent, and valid before or
 * after the wasm backend is initialised.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) replaceKernel(config);
  for (const [kernelName, wrap] of Object.entries(wasmKernelWrappers))
    wrapStockKernel(kernelName, 'wasm', wrap);
  registerHigherOrderGradients();
}
