import type { ReconstructionForegroundOf } from '@ratlip/ratlip-gan';

/**
 * Named starting points for `ratlip train --preset`. Each names the `@ratlip/ratlip-gan` model preset
 * it trains and the run-level settings the CLI owns (dataset, batch size, budget, intervals).
 */
export interface TrainPreset {
  /** One line for `--help` and errors. */
  description: string;
  /** The `@ratlip/ratlip-gan` preset (`RATLIP_PRESETS`) that gives the model and its CLIP. */
  model: string;
  /** `kind:path` dataset spec. */
  dataset: string;
  /** Images per training step. */
  batchSize: number;
  /** Wall-clock budget in minutes, if the preset is time-bounded. */
  minutes?: number;
  /** Step budget, if the preset is step-bounded. */
  steps?: number;
  /** Steps between `fakes-<step>.png` grids. */
  sampleEvery: number;
  /** Steps between checkpoints. */
  checkpointEvery: number;
  /** Checkpoints kept (the oldest are removed). */
  keepCheckpoints: number;
  /** Images per Shapes-alignment evaluation (0: none). */
  evalSamples: number;
  /** Steps between Shapes-alignment evaluations written to `eval.jsonl` (0: only when the run ends). */
  evalEvery: number;
  /** Per-step decay of the generator's moving average used for sampling (0: none). Default: the model preset's. */
  emaDecay?: number;
  /** Samples per run of alike Shapes scenes, hard negatives for the matching loss (0: none). Default 0. */
  hardNegativeGroup?: number;
  /** Weight of the contrastive CLIP term in the generator's loss (0: the official loss). Default 0. */
  clipContrastWeight?: number;
  /** Contrast captions per image of that term. Default 8. */
  clipContrasts?: number;
  /** Pair real images with nearly right captions in the D's mismatch loss. Default false. */
  hardMismatch?: boolean;
  /** Weight of the paired reconstruction term in the generator's loss (0: the official loss). Default 0. */
  reconstructionWeight?: number;
  /** Relative weight of foreground pixels within that term. Default 1. */
  reconstructionForeground?: number;
  /** Whose object pixels get that weight: the real image's, or the real or the fake image's. Default 'real'. */
  reconstructionForegroundOf?: ReconstructionForegroundOf;
}

/** The preset `ratlip train` uses when none is given. */
export const DEFAULT_PRESET = 'shapes';

/** The shipped generator's preset, which `shapes-words` extends. */
const SHAPES_LONG: TrainPreset = {
  description:
    'the shipped Shapes generator: the default run (ratlip-shapes-32) trained for longer, resumable across sittings',
  model: 'ratlip-shapes-32',
  dataset: 'shapes',
  batchSize: 8,
  steps: 20_000,
  sampleEvery: 250,
  checkpointEvery: 250,
  keepCheckpoints: 3,
  evalSamples: 500,
  evalEvery: 500,
  emaDecay: 0.999,
};

/** The generator loss terms of the shipped generator since its stage 3, which the later stages keep. */
const SHIPPED_LOSSES = {
  clipContrastWeight: 4,
  reconstructionWeight: 40,
  reconstructionForeground: 20,
  reconstructionForegroundOf: 'both',
} satisfies Partial<TrainPreset>;

/** The registry of presets, by name. */
export const TRAIN_PRESETS: Readonly<Record<string, TrainPreset>> = {
  shapes: {
    description:
      'the default run: RATLIP ratlip-shapes-32 (32 px, the shipped Shapes CLIP) on the built-in Shapes dataset for about 10 minutes',
    model: 'ratlip-shapes-32',
    dataset: 'shapes',
    batchSize: 8,
    minutes: 10,
    sampleEvery: 25,
    checkpointEvery: 50,
    keepCheckpoints: 3,
    evalSamples: 200,
    evalEvery: 200,
  },
  'shapes-long': SHAPES_LONG,
  'shapes-words': {
    ...SHAPES_LONG,
    description:
      'the Shapes generator with word attention (ratlip-shapes-32-words, not in the paper): shapes-long whose generator also reads the caption word by word',
    model: 'ratlip-shapes-32-words',
    clipContrastWeight: 4,
  },
  'shapes-places': {
    ...SHAPES_LONG,
    description:
      "shapes-words whose word attention also modulates the next G-block's affines at each place (ratlip-shapes-32-places, not in the paper), with the reconstruction term of the shipped generator",
    model: 'ratlip-shapes-32-places',
    ...SHIPPED_LOSSES,
  },
  'shapes-context': {
    ...SHAPES_LONG,
    description:
      'shapes-words whose generator first passes the words through a bidirectional self-attention layer (ratlip-shapes-32-context, not in the paper), with the reconstruction term of the shipped generator',
    model: 'ratlip-shapes-32-context',
    ...SHIPPED_LOSSES,
  },
  'shapes-phrases': {
    ...SHAPES_LONG,
    description:
      "shapes-context whose G-blocks' affines take, at each place, the sentence embedding of the caption's phrase about that place (ratlip-shapes-32-phrases, not in the paper), with the reconstruction term of the shipped generator",
    model: 'ratlip-shapes-32-phrases',
    ...SHIPPED_LOSSES,
  },
};

/** Names of the presets, for help texts and errors. */
export function presetNames(): string[] {
  return Object.keys(TRAIN_PRESETS);
}
