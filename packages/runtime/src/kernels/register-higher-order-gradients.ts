import * as tf from '@tensorflow/tfjs';
import { avgPoolGradGradConfig } from './gradients/avg-pool-grad-grad';
import { conv2DBackpropFilterGradConfig } from './gradients/conv2d-backprop-filter-grad';
import { depthwiseConv2dNativeBackpropFilterGradConfig } from './gradients/depthwise-conv2d-backprop-filter-grad';
import { depthwiseConv2dNativeBackpropInputGradConfig } from './gradients/depthwise-conv2d-backprop-input-grad';
import {
  resizeBilinearGradGradConfig,
  resizeNearestNeighborGradGradConfig,
} from './gradients/resize-grad-grads';

/** Gradients of gradient kernels that tfjs 4.22 does not register. */
const higherOrderGradients: readonly tf.GradConfig[] = [
  conv2DBackpropFilterGradConfig,
  depthwiseConv2dNativeBackpropFilterGradConfig,
  depthwiseConv2dNativeBackpropInputGradConfig,
  resizeNearestNeighborGradGradConfig,
  resizeBilinearGradGradConfig,
  avgPoolGradGradConfig,
];

/**
 * Registers gradients for the gradient kernels tfjs leaves without one (conv2d filter gradient,
 * depthwise input and filter gradients, resize and average-pool gradients), so that losses built from
 * gradients (MA-GP) can be differentiated again, on every backend. A gradient tfjs already has is
 * never replaced. Idempotent; useBackend() calls it.
 */
export function registerHigherOrderGradients(): void {
  for (const config of higherOrderGradients) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}
