import * as tf from '@tensorflow/tfjs';
import { CLIP_LAYER_NORM_EPSILON } from './clip-config';
import type { LayerNormParameters } from './residual-block-parameters';

/**
 * LayerNorm over the last axis: `(x - mean) / sqrt(var + eps) * weight + bias`, biased variance as in
 * PyTorch. Differentiable in `x` and in the parameters.
 * @param x `[..., width]`.
 * @param epsilon default 1e-5 (CLIP's).
 * @returns `[..., width]`.
 */
export function layerNorm(
  x: tf.Tensor,
  parameters: LayerNormParameters,
  epsilon: number = CLIP_LAYER_NORM_EPSILON,
): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = x.mean(axis, true);
    const centered = x.sub(mean);
    const variance = centered.square().mean(axis, true);
    return centered.mul(variance.add(epsilon).rsqrt()).mul(parameters.weight).add(parameters.bias);
  });
}
