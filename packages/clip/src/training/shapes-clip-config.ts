import type { ClipConfig } from '../model/clip-config';
import type { ClipTrainerOptions } from './clip-trainer';

/**
 * A CLIP sized for the built-in Shapes dataset and for training from scratch on a CPU (wasm): 32 px
 * images in a 4 x 4 grid of 8 px patches, six vision blocks of width 128 (4 heads), a two-block text
 * tower of width 64, 64-dimensional embeddings. It keeps CLIP's tokenizer and context (49,408 ids, 77
 * tokens) so every caption path of the GAN works unchanged. With six vision blocks, RATLIP's default
 * discriminator taps (blocks 1, 4, 8) and mapper prompt blocks (1 to 8) do not exist: pass blocks below 6
 * to those hooks. `ratlip clip pretrain --preset shapes` trains it.
 *
 * The shipped Shapes CLIP (`apps/trainer/assets/shapes-clip/`, 2,500 steps of batch 32 in 35 minutes on
 * one core, batches built from runs of 8 samples sharing colour and size) reaches zero-shot colour 0.999,
 * shape 0.874, size 0.884, position 1.000. Measured while choosing the learning rate (batch 32, zero-shot on 300 single-object test
 * images; chance colour 0.09, shape 0.14, size 0.33, position 0.11): a peak of 2e-3 stalled at an InfoNCE
 * loss near 0.75 with only colour learned after 750 steps; 5e-4 reached loss 0.29, colour 1.00 and
 * size 0.79 by step 250.
 */
export const SHAPES_CLIP_CONFIG: Readonly<ClipConfig> = Object.freeze({
  vision: Object.freeze({ imageSize: 32, patchSize: 8, width: 128, layers: 6, heads: 4, embedDim: 64 }),
  text: Object.freeze({ contextLength: 77, vocabSize: 49408, width: 64, layers: 2, heads: 2, embedDim: 64 }),
});

/** Image-caption pairs per step recommended for {@link SHAPES_CLIP_CONFIG}. */
export const SHAPES_CLIP_BATCH_SIZE = 32;

/** Warm-up steps of {@link shapesClipTrainerOptions} for runs of at least 500 steps. */
export const SHAPES_CLIP_WARMUP_STEPS = 50;

/**
 * Trainer options used for {@link SHAPES_CLIP_CONFIG} on Shapes: AdamW (betas 0.9 / 0.98, weight decay
 * 0.1), peak learning rate 5e-4 after {@link SHAPES_CLIP_WARMUP_STEPS} (50) warm-up steps (a tenth of the
 * run, rounded down, for runs under 500 steps), cosine decay to 0 at `totalSteps`, gradients clipped at
 * norm 1.
 * @param totalSteps length of the run in optimizer steps (the cosine ends there); a positive integer.
 */
export function shapesClipTrainerOptions(totalSteps: number): ClipTrainerOptions {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new Error(`shapesClipTrainerOptions: totalSteps must be a positive integer, got ${totalSteps}`);
  }
  const warmupSteps = Math.min(SHAPES_CLIP_WARMUP_STEPS, Math.floor(totalSteps / 10));
  return {
    schedule: { peak: 5e-4, warmupSteps, totalSteps },
    optimizer: { weightDecay: 0.1 },
    maxGradientNorm: 1,
  };
}
