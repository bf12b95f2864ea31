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
 * is the end-of-text feature after `ln_final`, projected, not normalised.
 */
export function clipSentenceEncoder(text: ClipTextTransformer, tokenizer: ClipTokenizer): SentenceEncoder {
  return {
    encode(texts) {
      const { ids, count, contextLength } = tokenizer.tokenize(texts, {
        contextLength: text.config.contextLength,
        truncate: true,
      });
      return tf.tidy(() => text.encode(tf.tensor2d(ids, [count, contextLength], 'int32')));
    },
  };
}
