import { ClipModel, initializeClipParameters } from '@ratlip/clip';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../src/config/config-schema';
import {
  type GeneratorCaptions,
  generatorCaptionTensors,
  readsPhrases,
  readsWords,
} from '../src/model/generator-captions';
import { RatlipGan } from '../src/model/ratlip-gan';

/** Tokens per caption of the random word features: a Shapes caption's length. */
const BENCH_WORDS = 16;
/** Phrases per caption of the random phrase embeddings: a two-object caption's. */
const BENCH_PHRASES = 2;

/** What the benchmarks train and sample: a model from fixed seeds and one random batch. */
export interface BenchModel {
  clip: ClipModel;
  model: RatlipGan;
  /** `[batch, imageSize, imageSize, channels]` uniform in [-1, 1]. */
  images: tf.Tensor4D;
  /**
   * Standard normal sentence embeddings `[batch, embedDim]` and, as the generator reads them, word
   * features `[batch, 16, text width]` and phrase embeddings `[batch, 2, embedDim]` (masks all ones).
   */
  captions: GeneratorCaptions;
  /** Frees everything above. */
  dispose(): void;
}

/** Random captions of `batchSize` rows as a generator of `config` reads them. */
function randomCaptions(
  config: ResolvedRatlipConfig,
  rng: SeededRandom,
  batchSize: number,
): GeneratorCaptions {
  const { embedDim, width } = config.clip.text;
  const normal = (shape: number[]) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);
  return {
    sentences: normal([batchSize, embedDim]) as tf.Tensor2D,
    ...(readsWords(config)
      ? {
          words: {
            features: normal([batchSize, BENCH_WORDS, width]) as tf.Tensor3D,
            mask: tf.ones([batchSize, BENCH_WORDS]) as tf.Tensor2D,
          },
        }
      : {}),
    ...(readsPhrases(config)
      ? {
          phrases: {
            embeddings: normal([batchSize, BENCH_PHRASES, embedDim]) as tf.Tensor3D,
            mask: tf.ones([batchSize, BENCH_PHRASES]) as tf.Tensor2D,
          },
        }
      : {}),
  };
}

/** A randomly initialised model of `config` (CLIP and GAN seed 1) and a random batch of its size (seed 2). */
export function createBenchModel(config: ResolvedRatlipConfig): BenchModel {
  const clipConfig = { vision: { ...config.clip.vision }, text: { ...config.clip.text } };
  const clip = new ClipModel(clipConfig, initializeClipParameters(clipConfig, { seed: 1 }));
  const model = RatlipGan.create(config, { vision: clip.vision, seed: 1 });
  const rng = new SeededRandom(2);
  const { batchSize } = config.training;
  const { imageSize, imageChannels } = config;
  const images = tf.tensor4d(rng.uniformArray(batchSize * imageSize * imageSize * imageChannels, -1, 1), [
    batchSize,
    imageSize,
    imageSize,
    imageChannels,
  ]);
  const captions = randomCaptions(config, rng, batchSize);
  return {
    clip,
    model,
    images,
    captions,
    dispose: () => {
      tf.dispose([images, ...generatorCaptionTensors(captions)]);
      model.dispose();
      clip.dispose();
    },
  };
}
