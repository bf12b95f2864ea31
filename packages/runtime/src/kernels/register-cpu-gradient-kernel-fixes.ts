import type * as tf from '@tensorflow/tfjs';
import { replaceKernel } from './replace-kernel';
import { cpuResizeBilinearGradConfig } from './resize/resize-bilinear-grad';
import { cpuResizeNearestNeighborGradConfig } from './resize/resize-nearest-neighbor-grad';

/** cpu gradient kernels of tfjs 4.22 that return wrong values, with their replacements. */
const cpuKernelFixes: readonly tf.KernelConfig[] = [
  cpuResizeNearestNeighborGradConfig,
  cpuResizeBilinearGradConfig,
];

/**
 * Replaces cpu gradient kernels that compute wrong first-order gradients: `ResizeNearestNeighborGrad`
 * (wrong for batch > 1) and `ResizeBilinearGrad` (ignores halfPixelCenters, fails for height != width).
 * Idempotent; useBackend() calls it. (The wasm counterpart is part of registerWasmTrainingKernels.)
 */
export function registerCpuGradientKernelFixes(): void {
  for (const config of cpuKernelFixes) replaceKernel(config);
}
