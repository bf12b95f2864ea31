import { ClipModel, initializeClipParameters } from '@ratlip/clip';
import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { RatlipConfigOverrides, ResolvedRatlipConfig } from '../config/config-schema';
import { resolveConfig } from '../config/resolve-config';
import { RatlipGan } from '../model/ratlip-gan';
import type { TrainBatch } from '../train/ratlip-trainer';

/** A CLIP of `config.clip` with fixed random weights (OpenAI's initialisation from `seed`). */
export function randomClip(config: ResolvedRatlipConfig, seed = 7): ClipModel {
  const clipConfig = { vision: { ...config.clip.vision }, text: { ...config.clip.text } };
  return new ClipModel(clipConfig, initializeClipParameters(clipConfig, { seed }));
}

/** The `ratlip-tiny` preset (with overrides), a random CLIP for it, and a fresh model. */
export function tinySetup(
  overrides: RatlipConfigOverrides = {},
  seed = 1,
): { config: ResolvedRatlipConfig; clip: ClipModel; model: RatlipGan } {
  const config = resolveConfig('ratlip-tiny', overrides);
  const clip = randomClip(config);
  const model = RatlipGan.create(config, { vision: clip.vision, seed });
  return { config, clip, model };
}

/** A pool of random images in [-1, 1] `[count, size, size, channels]` and sentences `[count, dim]`. */
export function randomPool(config: ResolvedRatlipConfig, rng: SeededRandom, count: number): TrainBatch {
  const { imageSize, imageChannels } = config;
  const pixels = rng.uniformArray(count * imageSize * imageSize * imageChannels, -1, 1);
  const sentences = rng.normalArray(count * config.clip.text.embedDim);
  return {
    images: tf.tensor4d(pixels, [count, imageSize, imageSize, imageChannels]),
    sentences: tf.tensor2d(sentences, [count, config.clip.text.embedDim]),
  };
}

/** Rows `indices` of a pool, as a batch (the caller disposes it). */
export function takeBatch(pool: TrainBatch, indices: readonly number[]): TrainBatch {
  return tf.tidy(() => {
    const index = tf.tensor1d([...indices], 'int32');
    return { images: tf.gather(pool.images, index), sentences: tf.gather(pool.sentences, index) };
  });
}
