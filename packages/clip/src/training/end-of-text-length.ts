import * as tf from '@tensorflow/tfjs';

/**
 * The shortest prefix length that keeps every row's end-of-text token (the highest id of the row,
 * first occurrence, where CLIP pools): `max(argmax(ids, 1)) + 1`. Because the text tower is causal,
 * running it on `ids[:, :length]` gives exactly the same text embeddings as on the padded ids, and
 * is much cheaper for short captions padded to 77 tokens.
 * @param ids int32 `[batch, contextLength]`.
 */
export function endOfTextLength(ids: tf.Tensor2D): number {
  if (ids.rank !== 2 || ids.dtype !== 'int32') {
    throw new Error(
      `endOfTextLength: ids must be int32 [batch, length], got ${ids.dtype} [${ids.shape.join(', ')}]`,
    );
  }
  const last = tf.tidy(() => tf.argMax(ids, 1).max());
  const length = (last.dataSync()[0] ?? 0) + 1;
  last.dispose();
  return length;
}
