import * as tf from '@tensorflow/tfjs';
import { registerHigherOrderGradients } from './register-higher-order-gradients';
import { conv2DBackpropFilterConfig } from './wasm/conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm/conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './wasm/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './wasm/depthwise-conv2d-backprop-input';
import { unsortedSegmentSumConfig } from './wasm/unsorted-segment-sum';

/** The kernels training needs that stock tfjs-backend-wasm 4.22 lacks (or runs slowly). */
const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** Names of the kernels {@link registerWasmTrainingKernels} installs for the 'wasm' backend. */
export const wasmTrainingKernelNames: readonly string[] = wasmTrainingKernels.map((config) => config.kernelName);

/**
 * Installs for the 'wasm' backend what training needs and stock wasm lacks: `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`, `UnsortedSegmentSum`
 * (tf.gather's gradient), and a `Conv2DBackpropInput` built on XNNPACK forward convolutions that
 * replaces the stock scalar one. Also registers the higher-order gradients
 * ({@link registerHigherOrderGradients}).
 *
 * Call it after `@tensorflow/tfjs-backend-wasm` has been imported (its import registers the stock
 * kernels, and would put the stock `Conv2DBackpropInput` back); useBackend('wasm') does both.
 * Idempotent, and valid before or after the wasm backend is initialised.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registerHigherOrderGradients();
}
