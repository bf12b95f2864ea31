import { type ClipModel, type ClipTokenizer, endOfTextLength } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

/** Captions encoded per forward pass. */
const TEXT_BATCH = 64;

/** Text embeddings of captions and the token rows they came from. */
export interface TextEmbeddings {
  /** `[count, embedDim]`, row-major, not normalised. */
  values: Float32Array;
  dim: number;
  /** Per caption, its token ids from the start to the end marker (no padding). */
  tokenIds: number[][];
}

/**
 * CLIP text embeddings of captions (tokenized with truncation to the model's context, as
 * `clip.tokenize(truncate=True)`), encoded in batches, each cropped to its longest caption (the text
 * tower is causal, so the result is the same). Leaves no tensors behind.
 */
export function embedTexts(
  model: ClipModel,
  tokenizer: ClipTokenizer,
  captions: readonly string[],
): TextEmbeddings {
  const { contextLength } = model.config.text;
  const dim = model.config.text.embedDim;
  const tokens = tokenizer.tokenize(captions, { contextLength, truncate: true });
  const values = new Float32Array(tokens.count * dim);
  for (let start = 0; start < tokens.count; start += TEXT_BATCH) {
    const size = Math.min(TEXT_BATCH, tokens.count - start);
    const ids = tf.tensor2d(
      tokens.ids.subarray(start * contextLength, (start + size) * contextLength),
      [size, contextLength],
      'int32',
    );
    try {
      const length = endOfTextLength(ids);
      const embeddings = tf.tidy(() => model.encodeText(ids.slice([0, 0], [size, length])));
      values.set(embeddings.dataSync(), start * dim);
      embeddings.dispose();
    } finally {
      ids.dispose();
    }
  }
  const tokenIds = Array.from({ length: tokens.count }, (_, row) =>
    Array.from(tokens.ids.subarray(row * contextLength, row * contextLength + tokens.lengths[row]!)),
  );
  return { values, dim, tokenIds };
}
