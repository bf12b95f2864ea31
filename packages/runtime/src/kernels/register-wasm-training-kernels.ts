import type * as tf from '@tensorflow/tfjs';
import { registerHigherOrderGradients } from './register-higher-order-gradients';
import { replaceKernel } from './replace-kernel';
import { wasmResizeBilinearGradConfig } from './resize/resize-bilinear-grad';
import { wasmResizeNearestNeighborGradConfig } from './resize/resize-nearest-neighbor-grad';
import { conv2DBackpropFilterConfig } from './wasm/conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm/conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './wasm/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './wasm/depthwise-conv2d-backprop-input';
import { unsortedSegmentSumConfig } from './wasm/unsorted-segment-sum';

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

/** Names of the kernels {@link registerWasmTrainingKernels} installs for the 'wasm' backend. */
export const wasmTrainingKernelNames: readonly string[] = wasmTrainingKernels.map(
  (config) => config.kernelName,
);

/**
 * Installs for the 'wasm' backend what training needs: `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput` and `UnsortedSegmentSum`
 * (tf.gather's gradient), which stock wasm lacks; a `Conv2DBackpropInput` built on XNNPACK forward
 * convolutions, replacing the stock scalar loop (about 10x slower); resize gradients that honour
 * halfPixelCenters. Also registers the higher-order gradients ({@link registerHigherOrderGradients}).
 *
 * Call it after `@tensorflow/tfjs-backend-wasm` has been imported (its import registers the stock
 * kernels and would put them back); useBackend('wasm') does both. Idempotent, and valid before or
 * after the wasm backend is initialised.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) replaceKernel(config);
  registerHigherOrderGradients();
}
