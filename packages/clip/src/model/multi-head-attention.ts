import * as tf from '@tensorflow/tfjs';
import { linear } from './linear';
import type { AttentionParameters } from './residual-block-parameters';

/**
 * Multi-head self-attention as PyTorch's `nn.MultiheadAttention` computes it with a fused input
 * projection: query, key and value are the three column blocks of `x @ W_in + b_in`; scores are scaled
 * by `1 / sqrt(width / heads)`; heads are concatenated and projected by the output layer.
 * @param x `[batch, tokens, width]`.
 * @param heads number of heads; must divide width.
 * @param mask optional additive mask `[tokens, tokens]` (row = query, column = key), e.g. {@link causalMask}.
 * @returns `[batch, tokens, width]`.
 */
export function multiHeadSelfAttention(
  x: tf.Tensor3D,
  parameters: AttentionParameters,
  heads: number,
  mask?: tf.Tensor2D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, tokens, width] = x.shape;
    const headWidth = width / heads;
    const [query, key, value] = tf.split(linear(x, parameters.inProjection), 3, 2);
    const splitHeads = (t: tf.Tensor) =>
      t.reshape([batch, tokens, heads, headWidth]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    let scores = tf.matMul(
      splitHeads(query!).mul(1 / Math.sqrt(headWidth)) as tf.Tensor4D,
      splitHeads(key!),
      false,
      true,
    );
    if (mask) scores = scores.add(mask);
    const context = tf.matMul(tf.softmax(scores), splitHeads(value!));
    const merged = context.transpose([0, 2, 1, 3]).reshape([batch, tokens, width]);
    return linear(merged, parameters.outProjection) as tf.Tensor3D;
  });
}
