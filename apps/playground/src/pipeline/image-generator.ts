import { loadClipVisionWeights } from '@ratlip/clip';
import {
  encodeGeneratorCaptions,
  type GeneratorCaptions,
  NET_G_CLIP_PREFIX,
  parseRatlipConfig,
  RatlipGan,
  type SentenceEncoder,
  type WebModelManifest,
} from '@ratlip/ratlip-gan';
import { type SafetensorsFile, safetensorsToTensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** Options of {@link ImageGenerator.generate}. */
export interface GenerateFromEmbeddingOptions {
  /** One caption as the generator reads it ({@link ImageGenerator.encodeCaptions}), shared by every image. Not disposed. */
  captions: GeneratorCaptions;
  /** Noise seed, 0 to 2^32-1: the same model, caption, seed and count give the same images. */
  seed: number;
  /** Images to make, at least 1. */
  count: number;
}

/** A generator rebuilt from a web model. */
export interface ImageGenerator {
  /**
   * Captions as this generator reads them: sentence embeddings and, when its config asks, word features
   * and phrase embeddings. The caller disposes them.
   */
  encodeCaptions(encoder: SentenceEncoder, captions: readonly string[]): GeneratorCaptions;
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
    encodeCaptions: (encoder, captions) => encodeGeneratorCaptions(config, encoder, captions),
    generate: ({ captions: { sentences, words, phrases }, seed, count }) =>
      gan.generate({
        sentenceEmbeddings: sentences,
        ...(words ? { words } : {}),
        ...(phrases ? { phrases } : {}),
        seed,
        count,
      }),
    dispose: () => gan.dispose(),
  };
}
