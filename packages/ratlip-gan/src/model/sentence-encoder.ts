import { type ClipTextTransformer, type ClipTokenizer, cropToEndOfText } from '@ratlip/clip';
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
 * batch's last end-of-text token is not run through the tower (`cropToEndOfText`): short captions
 * cost a fraction of the full context, and the embeddings change by float rounding only.
 */
export function clipSentenceEncoder(text: ClipTextTransformer, tokenizer: ClipTokenizer): SentenceEncoder {
  return {
    encode(texts) {
      const tokens = tokenizer.tokenize(texts, { contextLength: text.config.contextLength, truncate: true });
      // The padding after the last end-of-text token cannot reach any embedding (causal mask).
      const { ids, length } = cropToEndOfText(tokens);
      return tf.tidy(() => text.encode(tf.tensor2d(ids, [tokens.count, length], 'int32')));
    },
  };
}
