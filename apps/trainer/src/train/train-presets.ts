/**
 * Named starting points for `ratlip train --preset`. They set the run-level settings the CLI owns
 * (dataset, batch size, time or step budget); model sizes join them when the GAN lands (issue 5).
 */
export interface TrainPreset {
  /** One line for `--help` and errors. */
  description: string;
  /** `kind:path` dataset spec. */
  dataset: string;
  /** Images per training step. */
  batchSize: number;
  /** Wall-clock budget in minutes, if the preset is time-bounded. */
  minutes?: number;
  /** Step budget, if the preset is step-bounded. */
  steps?: number;
}

/** The preset `ratlip train` uses when none is given. */
export const DEFAULT_PRESET = 'shapes';

/** The registry of presets, by name. */
export const TRAIN_PRESETS: Readonly<Record<string, TrainPreset>> = {
  shapes: {
    description: 'the default run: a small RATLIP on the built-in Shapes dataset for about 10 minutes',
    dataset: 'shapes',
    batchSize: 32,
    minutes: 10,
  },
  'shapes-long': {
    description: 'the shipped Shapes generator: the same model trained for longer, resumable across sittings',
    dataset: 'shapes',
    batchSize: 32,
    steps: 20_000,
  },
};

/** Names of the presets, for help texts and errors. */
export function presetNames(): string[] {
  return Object.keys(TRAIN_PRESETS);
}
