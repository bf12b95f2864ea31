import type { ClipConfig } from '../model/clip-config';

/**
 * A very small CLIP for training tests (16 px images in a 4 x 4 grid of patches, two vision blocks, one
 * text block). `vocabSize` defaults to CLIP's so the real tokenizer's ids fit.
 */
export function miniClipConfig(vocabSize = 49408): ClipConfig {
  return {
    vision: { imageSize: 16, patchSize: 4, width: 32, layers: 2, heads: 2, embedDim: 32 },
    text: { contextLength: 77, vocabSize, width: 32, layers: 1, heads: 2, embedDim: 32 },
  };
}

/**
 * Token ids `[rows, contextLength]` with the end-of-text id (`vocabSize - 1`) at `lengths[row] - 1`,
 * other tokens in `[1, vocabSize - 2]`, zero padding after.
 */
export function syntheticIds(
  lengths: readonly number[],
  contextLength: number,
  vocabSize: number,
): Int32Array {
  const ids = new Int32Array(lengths.length * contextLength);
  lengths.forEach((length, row) => {
    for (let position = 0; position < length - 1; position++) {
      ids[row * contextLength + position] = 1 + ((row * 31 + position * 17) % (vocabSize - 2));
    }
    ids[row * contextLength + length - 1] = vocabSize - 1;
  });
  return ids;
}
