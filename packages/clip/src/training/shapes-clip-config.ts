import type { ClipConfig } from '../model/clip-config';
import type { ClipTrainerOptions } from './clip-trainer';

/**
 * A CLIP sized for the built-in Shapes dataset and for training from scratch on a CPU (wasm): 64 px
 * images in a 4 x 4 grid of 16 px patches, six vision blocks of width 128, a two-block text tower of
 * width 64, 64-dimensional embeddings. It keeps CLIP's tokenizer and context (49,408 ids, 77 tokens) so
 * every caption path of the GAN works unchanged. With six vision blocks, RATLIP's default discriminator
 * taps (blocks 1, 4, 8) and mapper prompt blocks (1 to 8) do not exist: pass blocks below 6 to those hooks.
 *
 * Measured on Shapes (2 cores, wasm with transpose-free matmuls, batch 32, {@link shapesClipTrainerOptions}
 * of 1000 steps, 12 minutes): zero-shot on single-object test images colour 1.00, size 0.95, shape 0.25,
 * position 0.09 (chance 0.09, 0.33, 0.14, 0.11). A 4 x 4 grid learned faster per second than 8 x 8
 * (64 px, patch 8, width 64: size 0.62, shape 0.20 after 1000 steps in 23 minutes); shape and position
 * need longer runs.
 */
export const SHAPES_CLIP_CONFIG: Readonly<ClipConfig> = Object.freeze({
  vision: Object.freeze({ imageSize: 64, patchSize: 16, width: 128, layers: 6, heads: 4, embedDim: 64 }),
  text: Object.freeze({ contextLength: 77, vocabSize: 49408, width: 64, layers: 2, heads: 2, embedDim: 64 }),
});

/** Image-caption pairs per step recommended for {@link SHAPES_CLIP_CONFIG}. */
export const SHAPES_CLIP_BATCH_SIZE = 32;

/**
 * Trainer options used for {@link SHAPES_CLIP_CONFIG} on Shapes: AdamW (betas 0.9 / 0.98, weight decay
 * 0.1), peak learning rate 2e-3 after 50 warm-up steps, cosine decay to 0 at `totalSteps`, gradients
 * clipped at norm 1.
 * @param totalSteps length of the run (the cosine ends there); must exceed 50.
 */
export function shapesClipTrainerOptions(totalSteps: number): ClipTrainerOptions {
  return {
    schedule: { peak: 2e-3, warmupSteps: 50, totalSteps },
    optimizer: { weightDecay: 0.1 },
    maxGradientNorm: 1,
  };
}
