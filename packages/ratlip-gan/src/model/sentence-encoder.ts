import { type ClipTextTransformer, type ClipTokenizer, cropToEndOfText } from '@ratlip/clip';
import type { WordFeatures } from '@ratlip/rat-blocks';
import * as tf from '@tensorflow/tfjs';

/** Captions as a generator with word attention reads them. */
export interface EncodedCaptions {
  /** `[count, sentenceDim]`. */
  sentences: tf.Tensor2D;
  /** Per-token features `[count, words, text width]` and their mask `[count, words]`. */
  words: WordFeatures;
}

/** Turns captions into the sentence embeddings the generator conditions on. */
export interface SentenceEncoder {
  /**
   * @param texts captions.
   * @returns `[texts.length, sentenceDim]`, owned by the caller.
   */
  encode(texts: readonly string[]): tf.Tensor2D;
  /**
   * The sentence embeddings and the word features in one pass, for generators with word attention
   * (`generator.wordAttention`); encoders without it serve only generators without. Owned by the caller.
   */
  encodeWithWords?(texts: readonly string[]): EncodedCaptions;
}

/**
 * The official sentence encoder: CLIP's tokenizer (77 tokens, truncated) and text tower; the embedding
 * is the end-of-text feature after `ln_final`, projected, not normalised. The padding after the
 * batch's last end-of-text token is not run through the tower (`cropToEndOfText`): short captions
 * cost a fraction of the full context, and the embeddings change by float rounding only. Its word
 * features are the tokens after `ln_final` up to each caption's end-of-text token (GALIP's `words_embs`).
 */
export function clipSentenceEncoder(text: ClipTextTransformer, tokenizer: ClipTokenizer): SentenceEncoder {
  const tokenizeCropped = (texts: readonly string[]) => {
    const tokens = tokenizer.tokenize(texts, { contextLength: text.config.contextLength, truncate: true });
    // The padding after the last end-of-text token cannot reach any embedding (causal mask).
    return { tokens, ...cropToEndOfText(tokens) };
  };
  return {
    encode(texts) {
      const { tokens, ids, length } = tokenizeCropped(texts);
      return tf.tidy(() => text.encode(tf.tensor2d(ids, [tokens.count, length], 'int32')));
    },
    encodeWithWords(texts) {
      const { tokens, ids, length } = tokenizeCropped(texts);
      const mask = new Float32Array(tokens.count * length);
      tokens.eotIndices.forEach((end, row) => {
        mask.fill(1, row * length, row * length + end + 1);
      });
      return tf.tidy(() => {
        const idTensor = tf.tensor2d(ids, [tokens.count, length], 'int32');
        const features = text.finalNorm(text.runBlocks(text.embed(idTensor)).tokens);
        return {
          sentences: text.pool(features, idTensor),
          words: { features, mask: tf.tensor2d(mask, [tokens.count, length]) },
        };
      });
    },
  };
}
