import * as tf from '@tensorflow/tfjs';
import { avgPoolGradGradConfig } from './gradients/avg-pool-grad-grad';
import { conv2DBackpropFilterGradConfig } from './gradients/conv2d-backprop-filter-grad';
import { depthwiseConv2dNativeBackpropFilterGradConfig } from './gradients/depthwise-conv2d-backprop-filter-grad';
import { depthwiseConv2dNativeBackpropInputGradConfig } from './gradients/depthwise-conv2d-backprop-input-grad';
import {
  expGradConfig,
  sigmoidGradConfig,
  softmaxGradConfig,
  tanhGradConfig,
} from './gradients/output-recomputing-grads';
import {
  resizeBilinearGradGradConfig,
  resizeNearestNeighborGradGradConfig,
} from './gradients/resize-grad-grads';

/** Gradients of gradient kernels that tfjs 4.22 does not register; never replace an existing one. */
const missingGradients: readonly tf.GradConfig[] = [
  conv2DBackpropFilterGradConfig,
  depthwiseConv2dNativeBackpropFilterGradConfig,
  depthwiseConv2dNativeBackpropInputGradConfig,
  resizeNearestNeighborGradGradConfig,
  resizeBilinearGradGradConfig,
  avgPoolGradGradConfig,
];

/** Replacements of tfjs gradients that are right once but wrong when differentiated again. */
const replacedGradients: readonly tf.GradConfig[] = [
  sigmoidGradConfig,
  tanhGradConfig,
  expGradConfig,
  softmaxGradConfig,
];

/**
 * Makes losses built from gradients (MA-GP) differentiable on every backend: registers gradients for
 * the gradient kernels tfjs leaves without one (conv2d filter gradient, depthwise input and filter
 * gradients, resize and average-pool gradients), and replaces the gradients of sigmoid, tanh, exp and
 * softmax, which tfjs computes from a saved output that a second derivative cannot see through, by
 * ones that recompute it from the input (same first-order values). Idempotent; useBackend() calls it.
 */
export function registerHigherOrderGradients(): void {
  for (const config of missingGradients) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
  for (const config of replacedGradients) {
    if (tf.getGradient(config.kernelName) === config) continue;
    tf.unregisterGradient(config.kernelName);
    tf.registerGradient(config);
  }
}
