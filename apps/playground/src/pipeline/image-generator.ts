import { loadClipVisionWeights } from '@ratlip/clip';
import {
  type EncodedCaptions,
  NET_G_CLIP_PREFIX,
  parseRatlipConfig,
  RatlipGan,
  type WebModelManifest,
} from '@ratlip/ratlip-gan';
import { type SafetensorsFile, safetensorsToTensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** Options of {@link ImageGenerator.generate}. */
export interface GenerateFromEmbeddingOptions {
  /** One sentence embedding `[1, embedDim]`, shared by every image. Not disposed. */
  sentenceEmbeddings: tf.Tensor2D;
  /** Its word features, for a generator that reads them ({@link ImageGenerator.readsWords}). Not disposed. */
  words?: EncodedCaptions['words'];
  /** Noise seed, 0 to 2^32-1: the same model, caption, seed and count give the same images. */
  seed: number;
  /** Images to make, at least 1. */
  count: number;
}

/** A generator rebuilt from a web model. */
export interface ImageGenerator {
  /** The generator has word attention: {@link generate} needs the caption's words. */
  readonly readsWords: boolean;
  /** @returns images `[count, height, width, 3]` in [-1, 1]; the caller disposes them. */
  generate(options: GenerateFromEmbeddingOptions): tf.Tensor4D;
  dispose(): void;
}

/**
 * Rebuilds the generator of a web model: the GAN config from the manifest, the frozen CLIP image
 * tower (the mapper) from `mapping.CLIP_ViT.*` of the generator file and the generator from its
 * other tensors (official NetG names). Sampling is `RatlipGan.generate`, as `ratlip sample` does.
 *
 * @throws naming the file and field when the config or a tensor does not fit.
 */
export function loadImageGenerator(manifest: WebModelManifest, weights: SafetensorsFile): ImageGenerator {
  const config = parseRatlipConfig(manifest.config, `${weights.source} (manifest config)`);
  const { model: vision } = loadClipVisionWeights(weights, {
    prefix: NET_G_CLIP_PREFIX,
    config: config.clip.vision,
  });
  let gan: RatlipGan;
  try {
    const generatorTensors = safetensorsToTensors(
      weights,
      weights.names().filter((name) => !name.startsWith(NET_G_CLIP_PREFIX)),
    );
    try {
      gan = RatlipGan.fromStateDicts(config, { netG: generatorTensors }, { vision, ownsVision: true });
    } finally {
      tf.dispose(Object.values(generatorTensors));
    }
  } catch (error) {
    vision.dispose();
    throw error;
  }
  return {
    readsWords: gan.readsWords,
    generate: ({ sentenceEmbeddings, words, seed, count }) =>
      gan.generate({ sentenceEmbeddings, ...(words ? { words } : {}), seed, count }),
    dispose: () => gan.dispose(),
  };
}
