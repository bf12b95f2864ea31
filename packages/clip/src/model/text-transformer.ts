import * as tf from '@tensorflow/tfjs';
import { causalMask } from './causal-mask';
import { type ClipTextConfig, validateClipTextConfig } from './clip-config';
import { layerNorm } from './layer-norm';
import { residualAttentionBlock } from './residual-attention-block';
import { type ClipTextParameters, checkTextParameters, textParameterEntries } from './text-parameters';

/** Result of {@link ClipTextTransformer.runBlocks}. */
export type TextBlocksResult = {
  /** Tokens after the last block, `[batch, length, width]`. */
  tokens: tf.Tensor3D;
  /** Tokens after every block when requested (`collectHidden`), each `[batch, length, width]`. */
  hidden: tf.Tensor3D[];
};

/**
 * CLIP's text tower (OpenAI `encode_text`): token plus positional embedding, causal pre-LN transformer,
 * `ln_final`, the feature at the end-of-text token (the highest id in each row), then `text_projection`.
 * The weights are plain (non-trainable) tensors; the tower owns them ({@link dispose}).
 */
export class ClipTextTransformer {
  /** The additive causal mask `[contextLength, contextLength]`, owned by the tower. */
  private readonly mask: tf.Tensor2D;

  /**
   * @param config validated here.
   * @param parameters TF.js-layout weights (see {@link ClipTextParameters}); shapes are checked.
   */
  constructor(
    readonly config: ClipTextConfig,
    readonly parameters: ClipTextParameters,
  ) {
    validateClipTextConfig(config);
    checkTextParameters(config, parameters);
    this.mask = causalMask(config.contextLength);
  }

  /**
   * Token embeddings plus positional embeddings.
   * @param ids int32 `[batch, length]`, length <= contextLength (CLIP's tokenizer pads to 77).
   * @returns `[batch, length, width]`.
   */
  embed(ids: tf.Tensor2D): tf.Tensor3D {
    this.checkIds(ids);
    return tf.tidy(() => {
      const [batch, length] = ids.shape;
      const { width } = this.config;
      const tokens = tf
        .gather(this.parameters.tokenEmbedding, ids.reshape([-1]))
        .reshape([batch, length, width]);
      return tokens.add(this.parameters.positionalEmbedding.slice([0, 0], [length, width])) as tf.Tensor3D;
    });
  }

  /**
   * Runs every residual block under the causal mask.
   * @param tokens `[batch, length, width]` from {@link embed}.
   * @param collectHidden also return the tokens after every block; default false.
   */
  runBlocks(tokens: tf.Tensor3D, collectHidden = false): TextBlocksResult {
    return tf.tidy(() => {
      const length = tokens.shape[1];
      const mask =
        length === this.config.contextLength ? this.mask : this.mask.slice([0, 0], [length, length]);
      const hidden: tf.Tensor3D[] = [];
      let x = tokens;
      for (const block of this.parameters.blocks) {
        x = residualAttentionBlock(x, block, this.config.heads, mask);
        if (collectHidden) hidden.push(x);
      }
      return { tokens: x, hidden };
    });
  }

  /**
   * `ln_final` on every token.
   * @param tokens `[batch, length, width]`.
   */
  finalNorm(tokens: tf.Tensor3D): tf.Tensor3D {
    return layerNorm(tokens, this.parameters.finalNorm) as tf.Tensor3D;
  }

  /**
   * Position of the end-of-text token in each row: the argmax of the ids (the end-of-text token has
   * the highest id; the first occurrence wins).
   * @param ids int32 `[batch, length]`.
   * @returns int32 `[batch]`.
   */
  endOfTextIndex(ids: tf.Tensor2D): tf.Tensor1D {
    return tf.argMax(ids, 1) as tf.Tensor1D;
  }

  /**
   * The pooled, projected sentence features.
   * @param normalizedTokens `[batch, length, width]` after {@link finalNorm}.
   * @param ids int32 `[batch, length]`, to find the end-of-text positions.
   * @returns `[batch, embedDim]`, not normalised.
   */
  pool(normalizedTokens: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, length, width] = normalizedTokens.shape;
      const rows = tf.range(0, batch * length, length, 'int32').add(this.endOfTextIndex(ids));
      const features = tf.gather(normalizedTokens.reshape([batch * length, width]), rows) as tf.Tensor2D;
      return tf.matMul(features, this.parameters.projection);
    });
  }

  /**
   * The text embedding (OpenAI `encode_text`; RATLIP's sentence embedding).
   * @param ids int32 token ids `[batch, contextLength]` from the tokenizer.
   * @returns `[batch, embedDim]`, not normalised.
   */
  encode(ids: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.pool(this.finalNorm(this.runBlocks(this.embed(ids)).tokens), ids));
  }

  /** Frees the parameters and the mask. */
  dispose(): void {
    for (const tensor of textParameterEntries(this.parameters).values()) tensor.dispose();
    this.mask.dispose();
  }

  private checkIds(ids: tf.Tensor): void {
    const { contextLength } = this.config;
    if (ids.rank !== 2 || ids.dtype !== 'int32' || ids.shape[1]! > contextLength) {
      throw new Error(
        `ClipTextTransformer: ids must be int32 [batch, length <= ${contextLength}], got ${ids.dtype} [${ids.shape.join(', ')}]`,
      );
    }
  }
}
