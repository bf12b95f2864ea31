import * as tf from '@tensorflow/tfjs';
import { bilinearAdjoint } from './resize-adjoints';
import { cpuResizeGradKernel, wasmResizeGradKernel } from './resize-grad-kernel';

/*
 * `ResizeBilinearGrad` as the exact adjoint of the forward bilinear resize: the stock tfjs 4.22 kernels
 * ignore halfPixelCenters, and cpu's fails when height != width.
 */

/** cpu `ResizeBilinearGrad`. */
export const cpuResizeBilinearGradConfig = cpuResizeGradKernel(tf.ResizeBilinearGrad, bilinearAdjoint);

/** wasm `ResizeBilinearGrad`. */
export const wasmResizeBilinearGradConfig = wasmResizeGradKernel(tf.ResizeBilinearGrad, bilinearAdjoint);
