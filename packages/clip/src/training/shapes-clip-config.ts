import type { ClipConfig } from '../model/clip-config';
import type { ClipTrainerOptions } from './clip-trainer';

/**
 * A CLIP sized for the built-in Shapes dataset and for training from scratch on a CPU (wasm): 64 px
 * images in an 8 x 8 grid of patches, six vision blocks of width 64, a two-block text tower of width 64,
 * 64-dimensional embeddings. It keeps CLIP's tokenizer and context (49,408 ids, 77 tokens) so every
 * caption path of the GAN works unchanged. With six vision blocks, RATLIP's default discriminator taps
 * (blocks 1, 4, 8) and mapper prompt blocks (1 to 8) do not exist: pass blocks below 6 to those hooks.
 */
export const SHAPES_CLIP_CONFIG: Readonly<ClipConfig> = Object.freeze({
  vision: Object.freeze({ imageSize: 64, patchSize: 8, width: 64, layers: 6, heads: 2, embedDim: 64 }),
  text: Object.freeze({ contextLength: 77, vocabSize: 49408, width: 64, layers: 2, heads: 2, embedDim: 64 }),
});

/** Image-caption pairs per step recommended for {@link SHAPES_CLIP_CONFIG}. */
export const SHAPES_CLIP_BATCH_SIZE = 32;

/**
 * Trainer options that worked for {@link SHAPES_CLIP_CONFIG} on Shapes: AdamW (betas 0.9 / 0.98,
 * weight decay 0.1), peak learning rate 2e-3 after 50 warm-up steps, cosine decay to 0 at `totalSteps`,
 * gradients clipped at norm 1.
 * @param totalSteps length of the run (the cosine ends there); must exceed 50.
 */
export function shapesClipTrainerOptions(totalSteps: number): ClipTrainerOptions {
  return {
    schedule: { peak: 2e-3, warmupSteps: 50, totalSteps },
    optimizer: { weightDecay: 0.1 },
    maxGradientNorm: 1,
  };
}
