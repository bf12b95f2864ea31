import type { PhraseEmbeddings, WordFeatures } from '@ratlip/rat-blocks';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  batchRows,
  type GeneratorCaptions,
  generatorCaptionTensors,
  mapGeneratorCaptions,
  tileBatch,
} from './generator-captions';
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
  /**
   * The phrase embeddings of the same n captions, with `sentenceEmbeddings`, for a generator with phrase
   * attention (`RatlipGan.readsPhrases`); see `RatlipGan.encodeCaptions`. Not disposed.
   */
  phrases?: PhraseEmbeddings;
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

/** Checks that `sentenceEmbeddings` came with the `name` tensors the generator reads, one row each. */
function checkRows(
  rows: number,
  name: string,
  source: string,
  needed: string,
  tensors: readonly tf.Tensor[] | undefined,
): void {
  if (!tensors) {
    throw new Error(
      `generate: this generator has ${needed}, so sentenceEmbeddings need their ${name} (${source}); or pass texts`,
    );
  }
  if (tensors.some((tensor) => tensor.shape[0] !== rows)) {
    throw new Error(
      `generate: ${name} must have a row per sentence embedding (${rows}), got [${tensors.map((tensor) => tensor.shape.join(', ')).join('] and [')}]`,
    );
  }
}

/** The captions of `options` as the model reads them (owned by the caller). */
function captionsFor(model: RatlipGan, options: GenerateOptions): GeneratorCaptions {
  if (options.sentenceEmbeddings && options.texts) {
    throw new Error('generate: give texts or sentenceEmbeddings, not both');
  }
  if (options.sentenceEmbeddings) {
    const dim = model.config.clip.text.embedDim;
    const s = options.sentenceEmbeddings;
    if (s.rank !== 2 || s.shape[1] !== dim) {
      throw new Error(`generate: sentenceEmbeddings must be [n, ${dim}], got [${s.shape.join(', ')}]`);
    }
    const { words, phrases } = options;
    if (model.readsWords) {
      checkRows(
        s.shape[0],
        'words',
        'SentenceEncoder.encodeWithWords',
        'word attention',
        words && [words.features, words.mask],
      );
    }
    if (model.readsPhrases) {
      checkRows(
        s.shape[0],
        'phrases',
        'RatlipGan.encodeCaptions',
        'phrase attention',
        phrases && [phrases.embeddings, phrases.mask],
      );
    }
    return mapGeneratorCaptions(
      {
        sentences: s,
        ...(model.readsWords && words ? { words } : {}),
        ...(model.readsPhrases && phrases ? { phrases } : {}),
      },
      (tensor) => tensor.clone(),
    );
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
  const captions = captionsFor(model, options);
  const { sentences } = captions;
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
        const all = mapGeneratorCaptions(captions, (tensor) => tileBatch(tensor, repeat));
        const parts: tf.Tensor4D[] = [];
        for (let start = 0; start < count; start += batchSize) {
          const size = Math.min(batchSize, count - start);
          const {
            sentences: part,
            words,
            phrases,
          } = mapGeneratorCaptions(all, (tensor) => batchRows(tensor, start, size));
          const raw = model.generator(batchRows(noise, start, size), part, {
            useEma: options.useEma ?? true,
            ...(words ? { words } : {}),
            ...(phrases ? { phrases } : {}),
          });
          parts.push(toImageRange(raw));
        }
        const images = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
        return options.format === 'uint8' ? toUint8Range(images) : images;
      });
    } finally {
      noise.dispose();
    }
  } finally {
    tf.dispose(generatorCaptionTensors(captions));
  }
}
