import type { PhraseEmbeddings, WordFeatures } from '@ratlip/rat-blocks';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import { encodePhrases } from './caption-phrases';
import type { SentenceEncoder } from './sentence-encoder';

/**
 * Captions as a generator reads them, one row per caption: the sentence embeddings and, as its config
 * needs, the word features (word attention) and the phrase embeddings (phrase attention).
 */
export interface GeneratorCaptions {
  /** `[count, sentenceDim]`. */
  sentences: tf.Tensor2D;
  /** Per-token features `[count, words, text width]` and mask, when the generator has word attention. */
  words?: WordFeatures;
  /** Phrase embeddings `[count, phrases, sentenceDim]` and mask, when the generator has phrase attention. */
  phrases?: PhraseEmbeddings;
}

/** The generator reads word features (`generator.wordAttention.blocks`). */
export function readsWords(config: ResolvedRatlipConfig): boolean {
  return config.generator.wordAttention.blocks.length > 0;
}

/** The generator reads phrase embeddings (`generator.phraseAttention.blocks`). */
export function readsPhrases(config: ResolvedRatlipConfig): boolean {
  return config.generator.phraseAttention.blocks.length > 0;
}

/**
 * Encodes captions with `encoder` as a generator of `config` reads them. Owned by the caller.
 * @throws when the generator reads words and the encoder has no `encodeWithWords`.
 */
export function encodeGeneratorCaptions(
  config: ResolvedRatlipConfig,
  encoder: SentenceEncoder,
  texts: readonly string[],
): GeneratorCaptions {
  let encoded: GeneratorCaptions;
  if (readsWords(config)) {
    if (!encoder.encodeWithWords) {
      throw new Error(
        'RatlipGan: this generator has word attention, but its sentenceEncoder has no encodeWithWords (clipSentenceEncoder has)',
      );
    }
    encoded = encoder.encodeWithWords(texts);
  } else {
    encoded = { sentences: encoder.encode(texts) };
  }
  if (!readsPhrases(config)) return encoded;
  return { ...encoded, phrases: encodePhrases(encoder, texts, config.generator.phraseAttention.separator) };
}

/** Every tensor of `captions`, to dispose together. */
export function generatorCaptionTensors(captions: Partial<GeneratorCaptions>): tf.Tensor[] {
  return [
    ...(captions.sentences ? [captions.sentences] : []),
    ...(captions.words ? [captions.words.features, captions.words.mask] : []),
    ...(captions.phrases ? [captions.phrases.embeddings, captions.phrases.mask] : []),
  ];
}

/**
 * `captions` with `rows` applied to each tensor, all batch-major (`tf.slice` of rows, `tf.tile` along
 * the batch, `clone`). The new tensors are the caller's.
 */
export function mapGeneratorCaptions(
  captions: GeneratorCaptions,
  rows: <T extends tf.Tensor>(tensor: T) => T,
): GeneratorCaptions {
  const { sentences, words, phrases } = captions;
  return {
    sentences: rows(sentences),
    ...(words ? { words: { features: rows(words.features), mask: rows(words.mask) } } : {}),
    ...(phrases ? { phrases: { embeddings: rows(phrases.embeddings), mask: rows(phrases.mask) } } : {}),
  };
}

/** Rows `[start, start + size)` of a batch-major tensor. */
export function batchRows<T extends tf.Tensor>(tensor: T, start: number, size: number): T {
  return tf.slice(
    tensor,
    [start, ...tensor.shape.slice(1).map(() => 0)],
    [size, ...tensor.shape.slice(1)],
  ) as T;
}

/** A batch-major tensor with every row repeated `times`, in order of the whole batch (`tf.tile`). */
export function tileBatch<T extends tf.Tensor>(tensor: T, times: number): T {
  return tf.tile(tensor, [times, ...tensor.shape.slice(1).map(() => 1)]) as T;
}
