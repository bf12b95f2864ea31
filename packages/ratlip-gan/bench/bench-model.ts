import { ClipModel, initializeClipParameters } from '@ratlip/clip';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../src/config/config-schema';
import { RatlipGan } from '../src/model/ratlip-gan';

/** What the benchmarks train and sample: a model from fixed seeds and one random batch. */
export interface BenchModel {
  clip: ClipModel;
  model: RatlipGan;
  /** `[batch, imageSize, imageSize, channels]` uniform in [-1, 1]. */
  images: tf.Tensor4D;
  /** `[batch, embedDim]` standard normal sentence embeddings. */
  sentences: tf.Tensor2D;
  /** Frees everything above. */
  dispose(): void;
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
  const { embedDim } = config.clip.text;
  const sentences = tf.tensor2d(rng.normalArray(batchSize * embedDim), [batchSize, embedDim]);
  return {
    clip,
    model,
    images,
    sentences,
    dispose: () => {
      tf.dispose([images, sentences]);
      model.dispose();
      clip.dispose();
    },
  };
}
