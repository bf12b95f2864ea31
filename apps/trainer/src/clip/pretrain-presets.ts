import type { ClipConfig, ClipTrainerOptions } from '@ratlip/clip';

/** The model side of a preset: the CLIP to train and its trainer options. */
export interface PresetTraining {
  /** The CLIP to train. */
  clip: ClipConfig;
  /** Trainer options (AdamW, warm-up + cosine schedule, clipping) of a run of `totalSteps` steps. */
  trainerOptions(totalSteps: number): ClipTrainerOptions;
}

/** Starting settings of `ratlip clip pretrain --preset <name>`. */
export interface ClipPretrainPreset {
  /** One line for `--help`. */
  description: string;
  /** Default `--dataset` (`kind:path`). */
  dataset: string;
  /** Default `--batch-size`: image-caption pairs per step. */
  batchSize: number;
  /** Samples per run of alike Shapes samples in a batch (`ClipPretrainConfig.hardNegativeGroup`); 0: none. */
  hardNegativeGroup: number;
  /** Attribute-swapped captions as hard-negative texts (`ClipPretrainConfig.bindingNegatives`). */
  bindingNegatives: boolean;
  /** Train the text tower and the logit scale only (`ClipPretrainConfig.freezeVision`). */
  freezeVision: boolean;
  /** The preset fine-tunes trained weights, which `--init` must give. */
  fineTunes: boolean;
  /** Length of the run (the end of the cosine schedule) when neither `--steps` nor `--minutes` is given. */
  steps: number;
  /** Default `--checkpoint-every`, in steps. */
  checkpointEvery: number;
  /** Default `--eval-images`: single-object Shapes test images of the zero-shot evaluation. */
  evalImages: number;
  /** The CLIP and its trainer options; loads `@ratlip/clip` (and TensorFlow.js) on first use only. */
  training(): Promise<PresetTraining>;
}

/**
 * Steps timed (after a sitting's first, which compiles kernels) before a run given only `--minutes`
 * fixes its length. The Shapes schedule warms up for 50 steps, and the learning rate during warm-up does
 * not depend on the length, so no step taken before the estimate would have differed.
 */
export const LENGTH_ESTIMATE_STEPS = 10;

/**
 * Peak learning rate of `shapes-binding`: fine-tuning a trained CLIP, so below the 5e-4 of training
 * from scratch.
 */
const BINDING_PEAK_LEARNING_RATE = 2e-4;

/** The presets by name; `shapes` is the default. */
export const CLIP_PRETRAIN_PRESETS: Readonly<Record<string, ClipPretrainPreset>> = {
  shapes: {
    description:
      'the Shapes CLIP shipped with the app: 32 px, 4 x 4 patches, vision 128 x 6, text 64 x 2, embed 64, batch 32 in runs of 8 alike samples',
    dataset: 'shapes',
    batchSize: 32,
    hardNegativeGroup: 8,
    bindingNegatives: false,
    freezeVision: false,
    fineTunes: false,
    steps: 2500,
    checkpointEvery: 100,
    evalImages: 1000,
    training: async () => {
      const { SHAPES_CLIP_CONFIG, shapesClipTrainerOptions } = await import('@ratlip/clip');
      return { clip: SHAPES_CLIP_CONFIG, trainerOptions: shapesClipTrainerOptions };
    },
  },
  'shapes-binding': {
    description:
      'fine-tunes a Shapes CLIP (--init) to bind attributes to objects: each two-object caption also against its attribute-swapped variants, peak learning rate 2e-4',
    dataset: 'shapes',
    batchSize: 32,
    hardNegativeGroup: 8,
    bindingNegatives: true,
    // Image embeddings of a bag-of-words CLIP barely encode binding: both towers must learn it.
    freezeVision: false,
    fineTunes: true,
    steps: 1000,
    checkpointEvery: 100,
    evalImages: 1000,
    training: async () => {
      const { SHAPES_CLIP_CONFIG, shapesClipTrainerOptions } = await import('@ratlip/clip');
      return {
        clip: SHAPES_CLIP_CONFIG,
        trainerOptions: (totalSteps) => ({
          ...shapesClipTrainerOptions(totalSteps),
          schedule: {
            peak: BINDING_PEAK_LEARNING_RATE,
            warmupSteps: Math.min(20, Math.floor(totalSteps / 10)),
            totalSteps,
          },
        }),
      };
    },
  },
  'shapes-micro': {
    description: 'a micro CLIP (width 32, one block per tower, batch 8) to check the pipeline in seconds',
    dataset: 'shapes',
    batchSize: 8,
    hardNegativeGroup: 0,
    bindingNegatives: false,
    freezeVision: false,
    fineTunes: false,
    steps: 20,
    checkpointEvery: 10,
    evalImages: 50,
    training: async () => {
      const { shapesClipTrainerOptions } = await import('@ratlip/clip');
      return {
        clip: {
          vision: { imageSize: 32, patchSize: 8, width: 32, layers: 1, heads: 2, embedDim: 32 },
          text: { contextLength: 77, vocabSize: 49408, width: 32, layers: 1, heads: 2, embedDim: 32 },
        },
        trainerOptions: shapesClipTrainerOptions,
      };
    },
  },
};

/** The preset `ratlip clip pretrain` uses without `--preset`. */
export const DEFAULT_CLIP_PRETRAIN_PRESET = 'shapes';
