import * as tf from '@tensorflow/tfjs';
import type { TokenizedTexts } from '../tokenizer/clip-tokenizer';

/**
 * The shortest prefix length that keeps every row's end-of-text token (the highest id of the row,
 * first occurrence, where CLIP pools): `max(argmax(ids, 1)) + 1`. Because the text tower is causal,
 * running it on `ids[:, :length]` gives the same text embeddings as on the padded ids up to float
 * rounding (none on cpu; about 1e-7 on wasm, whose matrix products sum in length-dependent blocks),
 * and is much cheaper for short captions padded to 77 tokens.
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

/**
 * The tokenizer's ids cut to {@link endOfTextLength}, on the host (no tensor read).
 * @returns ids `[count, length]`, row-major, for `tf.tensor2d(ids, [count, length], 'int32')`.
 */
export function cropToEndOfText(tokens: TokenizedTexts): { ids: Int32Array; length: number } {
  const { ids, count, contextLength, eotIndices } = tokens;
  const length = Math.max(0, ...eotIndices) + 1;
  if (length === contextLength) return { ids, length };
  const cropped = new Int32Array(count * length);
  for (let row = 0; row < count; row++) {
    cropped.set(ids.subarray(row * contextLength, row * contextLength + length), row * length);
  }
  return { ids: cropped, length };
}
