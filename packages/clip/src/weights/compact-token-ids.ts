import { readCompactTokenEmbedding } from './compact-token-embedding';
import { type ClipWeightsInput, storedTensorSource } from './tensor-source';

/**
 * The token ids whose embeddings a compact CLIP weight file keeps (strictly increasing), or `undefined`
 * when the file stores the whole token embedding. Captions made only of these ids embed exactly as
 * with the full model; other tokens read zero rows. Throws naming the file when the record is malformed.
 */
export function clipWeightsTokenIds(input: ClipWeightsInput): Int32Array | undefined {
  return readCompactTokenEmbedding(storedTensorSource(input))?.ids;
}
