import type { ClipModel, ClipTokenizer } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';
import { clipCosineSimilarities } from './clip-cosine-similarities';
import { type ClipScorePreprocessing, clipScorePreprocessing } from './clip-score-preprocessing';

/** Options of {@link clipScores}. */
export interface ClipScoresOptions {
  /** The CLIP that scores (e.g. ViT-B/32 for figures comparable with the papers). */
  model: ClipModel;
  /** CLIP's tokenizer (`await ClipTokenizer.load()`); captions longer than the context are cut. */
  tokenizer: ClipTokenizer;
  /** How images reach CLIP. Default `'ratlip-reference'`. */
  preprocessing?: ClipScorePreprocessing;
  /** Images per CLIP forward pass (bounds memory; the result does not depend on it). Default 32. */
  chunkSize?: number;
}

/**
 * CLIP score of each image with its own caption: `100 * cos(encodeImage(image), encodeText(caption))`,
 * not clamped at 0 and not weighted (the reference's evaluation; CLIPScore's `2.5 max(cos, 0)` is a
 * different figure).
 * @param images `[batch, height, width, 3]` in [0, 1]; not disposed.
 * @param captions one per image.
 * @returns `batch` scores.
 */
export async function clipScores(
  images: tf.Tensor4D,
  captions: readonly string[],
  options: ClipScoresOptions,
): Promise<Float32Array> {
  const { model, tokenizer } = options;
  const preprocessing = clipScorePreprocessing(options.preprocessing ?? 'ratlip-reference');
  const chunkSize = options.chunkSize ?? 32;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new Error(`clipScores: chunkSize must be a positive integer, got ${chunkSize}`);
  }
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new Error(`clipScores: images must be [batch, height, width, 3], got [${images.shape.join(', ')}]`);
  }
  const count = images.shape[0];
  if (captions.length !== count) {
    throw new Error(`clipScores: ${captions.length} captions for ${count} images`);
  }
  const { imageSize } = model.config.vision;
  const { contextLength } = model.config.text;
  const scores = new Float32Array(count);
  for (let start = 0; start < count; start += chunkSize) {
    const size = Math.min(chunkSize, count - start);
    const chunk = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
    const tokens = tokenizer.tokenize(captions.slice(start, start + size), { contextLength, truncate: true });
    const ids = tf.tensor2d(tokens.ids, [size, contextLength], 'int32');
    let clipInput: tf.Tensor4D | undefined;
    try {
      clipInput = await preprocessing.toClipInput(chunk, imageSize);
      const cosines = tf.tidy(() => tf.mul(clipCosineSimilarities(model, clipInput!, ids), 100));
      try {
        scores.set((await cosines.data()) as Float32Array, start);
      } finally {
        cosines.dispose();
      }
    } finally {
      chunk.dispose();
      ids.dispose();
      clipInput?.dispose();
    }
  }
  return scores;
}
