import * as tf from '@tensorflow/tfjs';
import { replaceKernel } from './replace-kernel';

/** Builds a kernel function from the stock kernel it improves on (and falls back to). */
export type StockKernelWrapper = (stock: tf.KernelConfig) => tf.KernelFunc;

const wrappedKernelFuncs = new WeakSet<tf.KernelFunc>();

/**
 * Replaces the kernel `kernelName` of `backendName` by `wrap(stock)`, keeping the stock kernel's setup
 * and dispose hooks (the stock function still runs inside the wrapper, so it must be set up when the
 * backend initialises). Idempotent: an already wrapped kernel is left alone, and a backend without
 * the kernel is skipped.
 */
export function wrapStockKernel(kernelName: string, backendName: string, wrap: StockKernelWrapper): void {
  const stock = tf.getKernel(kernelName, backendName);
  if (stock === undefined || wrappedKernelFuncs.has(stock.kernelFunc)) return;
  const kernelFunc = wrap(stock);
  wrappedKernelFuncs.add(kernelFunc);
  replaceKernel({
    kernelName,
    backendName,
    kernelFunc,
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
    ...(stock.disposeFunc === undefined ? {} : { disposeFunc: stock.disposeFunc }),
  });
}
