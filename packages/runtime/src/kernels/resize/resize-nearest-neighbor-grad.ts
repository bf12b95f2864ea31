import * as tf from '@tensorflow/tfjs';
import { nearestNeighborAdjoint } from './resize-adjoints';
import { cpuResizeGradKernel, wasmResizeGradKernel } from './resize-grad-kernel';

/*
 * `ResizeNearestNeighborGrad` as the exact adjoint of the forward nearest-neighbour resize: the stock
 * tfjs 4.22 cpu kernel is wrong for batch > 1 (silently corrupting the gradients of nearest upsampling:
 * DF-GAN and RATLIP generators, CLIP's resize to 224), and the wasm one with halfPixelCenters.
 */

/** cpu `ResizeNearestNeighborGrad`. */
export const cpuResizeNearestNeighborGradConfig = cpuResizeGradKernel(
  tf.ResizeNearestNeighborGrad,
  nearestNeighborAdjoint,
);

/** wasm `ResizeNearestNeighborGrad`. */
export const wasmResizeNearestNeighborGradConfig = wasmResizeGradKernel(
  tf.ResizeNearestNeighborGrad,
  nearestNeighborAdjoint,
);
