import * as tf from '@tensorflow/tfjs';
import { layerNorm } from './layer-norm';
import { linear } from './linear';
import { multiHeadSelfAttention } from './multi-head-attention';
import { quickGelu } from './quick-gelu';
import type { ResidualBlockParameters } from './residual-block-parameters';

/**
 * CLIP's pre-LayerNorm residual block:
 * `x = x + attn(ln_1(x)); x = x + c_proj(quickGelu(c_fc(ln_2(x))))`.
 * @param x `[batch, tokens, width]`.
 * @param heads attention heads.
 * @param mask optional additive attention mask `[tokens, tokens]`.
 * @returns `[batch, tokens, width]`.
 */
export function residualAttentionBlock(
  x: tf.Tensor3D,
  parameters: ResidualBlockParameters,
  heads: number,
  mask?: tf.Tensor2D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const attended = x.add(
      multiHeadSelfAttention(
        layerNorm(x, parameters.norm1) as tf.Tensor3D,
        parameters.attention,
        heads,
        mask,
      ),
    );
    const hidden = quickGelu(linear(layerNorm(attended, parameters.norm2), parameters.mlpIn));
    return attended.add(linear(hidden, parameters.mlpOut)) as tf.Tensor3D;
  });
}
