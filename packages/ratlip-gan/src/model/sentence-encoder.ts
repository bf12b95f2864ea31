import type { ClipTextTransformer, ClipTokenizer } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

/** Turns captions into the sentence embeddings the generator conditions on. */
export interface SentenceEncoder {
  /**
   * @param texts captions.
   * @returns `[texts.length, sentenceDim]`, owned by the caller.
   */
  encode(texts: readonly string[]): tf.Tensor2D;
}

/**
 * The official sentence encoder: CLIP's tokenizer (77 tokens, truncated) and text tower; the embedding
 * is the end-of-text feature after `ln_final`, projected, not normalised. The padding after the
 * batch's last end-of-text token is not run through the tower: it cannot reach the embeddings.
 */
export function clipSentenceEncoder(text: ClipTextTransformer, tokenizer: ClipTokenizer): SentenceEncoder {
  return {
    encode(texts) {
      const { ids, count, contextLength, eotIndices } = tokenizer.tokenize(texts, {
        contextLength: text.config.contextLength,
        truncate: true,
      });
      // Tokens after a row's end-of-text token cannot reach its feature under the causal mask, so
      // the tower runs only up to the batch's last one: the embeddings change by float rounding only
      // (none on cpu; about 1e-7 on wasm, whose matrix products sum in length-dependent blocks), and
      // short captions cost a fraction of the full context.
      const length = Math.max(1, ...eotIndices) + 1;
      const trimmed = new Int32Array(count * length);
      for (let row = 0; row < count; row++) {
        trimmed.set(ids.subarray(row * contextLength, row * contextLength + length), row * length);
      }
      return tf.tidy(() => text.encode(tf.tensor2d(trimmed, [count, length], 'int32')));
    },
  };
}
