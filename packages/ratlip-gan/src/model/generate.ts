import type { WordFeatures } from '@ratlip/rat-blocks';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { RatlipGan } from './ratlip-gan';

/** Options of `RatlipGan.generate`. Give `texts` or `sentenceEmbeddings`, and `seed` or `noise`. */
export interface GenerateOptions {
  /** Captions, encoded with the model's `sentenceEncoder`. */
  texts?: readonly string[];
  /** Sentence embeddings `[n, sentenceDim]` (n = 1 is repeated for every image). Not disposed. */
  sentenceEmbeddings?: tf.Tensor2D;
  /**
   * The word features of the same n captions, with `sentenceEmbeddings`, for a generator with word
   * attention (`RatlipGan.readsWords`); see `SentenceEncoder.encodeWithWords`. Not disposed.
   */
  words?: WordFeatures;
  /** Seed of the noise (one N(0, 1) row of `noiseDim` per image, in order). Default 0. */
  seed?: number;
  /** Noise `[count, noiseDim]`, instead of `seed`. Not disposed. */
  noise?: tf.Tensor2D;
  /** Images to make. Default: the number of noise rows, else of captions/embeddings. */
  count?: number;
  /** `'float'` (default): [-1, 1]; `'uint8'`: int32 values 0..255 (`tf.browser.toPixels`-ready). */
  format?: 'float' | 'uint8';
  /**
   * Images per generator call. Default `config.training.batchSize`. In paper-mode RAT (and GALIP) the
   * images do not depend on it; in legacy mode they do (the official sampling used batches of 8).
   */
  batchSize?: number;
  /** Use the EMA generator when the model has one. Default true. */
  useEma?: boolean;
}

/** The captions of `options` as the model reads them (owned by the caller). */
function captionsFor(
  model: RatlipGan,
  options: GenerateOptions,
): { sentences: tf.Tensor2D; words?: WordFeatures } {
  if (options.sentenceEmbeddings && options.texts) {
    throw new Error('generate: give texts or sentenceEmbeddings, not both');
  }
  if (options.sentenceEmbeddings) {
    const dim = model.config.clip.text.embedDim;
    const s = options.sentenceEmbeddings;
    if (s.rank !== 2 || s.shape[1] !== dim) {
      throw new Error(`generate: sentenceEmbeddings must be [n, ${dim}], got [${s.shape.join(', ')}]`);
    }
    if (!model.readsWords) return { sentences: s.clone() };
    const words = options.words;
    if (!words) {
      throw new Error(
        'generate: this generator has word attention, so sentenceEmbeddings need their words (SentenceEncoder.encodeWithWords); or pass texts',
      );
    }
    if (words.features.shape[0] !== s.shape[0] || words.mask.shape[0] !== s.shape[0]) {
      throw new Error(
        `generate: words must have a row per sentence embedding (${s.shape[0]}), got features [${words.features.shape.join(', ')}] and mask [${words.mask.shape.join(', ')}]`,
      );
    }
    return { sentences: s.clone(), words: { features: words.features.clone(), mask: words.mask.clone() } };
  }
  if (options.texts) {
    if (options.texts.length === 0) throw new Error('generate: texts is empty');
    return model.encodeCaptions(options.texts);
  }
  throw new Error('generate: give texts or sentenceEmbeddings');
}

function noiseFor(model: RatlipGan, options: GenerateOptions, count: number): tf.Tensor2D {
  const noiseDim = model.config.generator.noiseDim;
  if (options.noise) {
    if (options.seed !== undefined) throw new Error('generate: give seed or noise, not both');
    const noise = options.noise;
    if (noise.rank !== 2 || noise.shape[0] !== count || noise.shape[1] !== noiseDim) {
      throw new Error(`generate: noise must be [${count}, ${noiseDim}], got [${noise.shape.join(', ')}]`);
    }
    return noise.clone();
  }
  const rng = new SeededRandom(options.seed ?? 0);
  return tf.tensor2d(rng.normalArray(count * noiseDim), [count, noiseDim]);
}

/** Generator outputs to the sampling range: NaN -> 0, clamped to [-1, 1]. */
export function toImageRange(images: tf.Tensor): tf.Tensor4D {
  return tf.tidy(
    () => tf.clipByValue(tf.where(tf.isNaN(images), tf.zerosLike(images), images), -1, 1) as tf.Tensor4D,
  );
}

/** Images in [-1, 1] to int32 0..255: `floor((x + 1) / 2 * 255 + 0.5)`, as torchvision's `save_image`. */
export function toUint8Range(images: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() =>
    tf.cast(tf.clipByValue(tf.floor(tf.add(tf.mul(tf.add(images, 1), 127.5), 0.5)), 0, 255), 'int32'),
  ) as tf.Tensor4D;
}

/** `RatlipGan.generate`: sentences and noise in, images out, in batches. */
export function generateImages(model: RatlipGan, options: GenerateOptions): tf.Tensor4D {
  const { sentences, words } = captionsFor(model, options);
  try {
    const count = options.count ?? options.noise?.shape[0] ?? sentences.shape[0];
    if (!Number.isInteger(count) || count <= 0)
      throw new Error(`generate: count must be a positive integer, got ${count}`);
    if (sentences.shape[0] !== 1 && sentences.shape[0] !== count) {
      throw new Error(`generate: ${sentences.shape[0]} sentences for ${count} images (give 1 or ${count})`);
    }
    const batchSize = options.batchSize ?? model.config.training.batchSize;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(`generate: batchSize must be a positive integer, got ${batchSize}`);
    }
    const noise = noiseFor(model, options, count);
    try {
      return tf.tidy(() => {
        const repeat = sentences.shape[0] === 1 ? count : 1;
        const all = tf.tile(sentences, [repeat, 1]);
        const allWords = words && {
          features: tf.tile(words.features, [repeat, 1, 1]),
          mask: tf.tile(words.mask, [repeat, 1]),
        };
        const parts: tf.Tensor4D[] = [];
        for (let start = 0; start < count; start += batchSize) {
          const size = Math.min(batchSize, count - start);
          const raw = model.generator(
            noise.slice([start, 0], [size, -1]),
            all.slice([start, 0], [size, -1]),
            {
              useEma: options.useEma ?? true,
              ...(allWords
                ? {
                    words: {
                      features: allWords.features.slice([start, 0, 0], [size, -1, -1]),
                      mask: allWords.mask.slice([start, 0], [size, -1]),
                    },
                  }
                : {}),
            },
          );
          parts.push(toImageRange(raw));
        }
        const images = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
        return options.format === 'uint8' ? toUint8Range(images) : images;
      });
    } finally {
      noise.dispose();
    }
  } finally {
    tf.dispose([sentences, ...(words ? [words.features, words.mask] : [])]);
  }
}
