import type { PhraseEmbeddings } from '@ratlip/rat-blocks';
import * as tf from '@tensorflow/tfjs';
import type { SentenceEncoder } from './sentence-encoder';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A caption's phrases: its parts between occurrences of `separator` (case-insensitive), trimmed, empty
 * parts dropped; a caption without the separator is one phrase, itself.
 * @example captionPhrases('a red star at the top and a blue circle', ' and ') // ['a red star at the top', 'a blue circle']
 */
export function captionPhrases(caption: string, separator: string): string[] {
  if (separator.length === 0) throw new Error('captionPhrases: the separator must not be empty');
  const parts = caption
    .split(new RegExp(escapeRegExp(separator), 'i'))
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  return parts.length > 0 ? parts : [caption];
}

/**
 * Each caption's phrases ({@link captionPhrases}) as sentence embeddings, in one batch through `encoder`.
 * @returns embeddings `[texts.length, most phrases, sentenceDim]` (padding rows repeat a caption's last
 *   phrase) and mask `[texts.length, most phrases]`, owned by the caller.
 */
export function encodePhrases(
  encoder: SentenceEncoder,
  texts: readonly string[],
  separator: string,
): PhraseEmbeddings {
  const phrases = texts.map((text) => captionPhrases(text, separator));
  const most = Math.max(...phrases.map((list) => list.length));
  const flat = phrases.flat();
  const rows: number[] = [];
  const mask = new Float32Array(texts.length * most);
  let first = 0;
  phrases.forEach((list, caption) => {
    for (let k = 0; k < most; k++) rows.push(first + Math.min(k, list.length - 1));
    mask.fill(1, caption * most, caption * most + list.length);
    first += list.length;
  });
  const encoded = encoder.encode(flat);
  const embeddings = tf.tidy(
    () => tf.reshape(tf.gather(encoded, tf.tensor1d(rows, 'int32')), [texts.length, most, -1]) as tf.Tensor3D,
  );
  encoded.dispose();
  return { embeddings, mask: tf.tensor2d(mask, [texts.length, most]) };
}
