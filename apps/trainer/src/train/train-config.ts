import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECONSTRUCTION_FOREGROUND_OF, type ReconstructionForegroundOf } from '@ratlip/ratlip-gan';
import { z } from 'zod';
import { CliFailure, UsageError } from '../cli-errors';
import { backendValue, type NodeBackend } from '../options/backend-option';
import { requireDirectory, requireFile } from '../options/input-files';
import {
  autoOrIntegerValue,
  choiceValue,
  integerValue,
  nonNegativeNumberValue,
  positiveNumberValue,
  showValue,
  textValue,
  unitIntervalValue,
} from '../options/option-values';
import { loadConfigFile } from './load-config-file';
import { DEFAULT_PRESET, presetNames, TRAIN_PRESETS } from './train-presets';

/** Largest `--seed`: seeds are unsigned 32-bit. */
const MAX_SEED = 2 ** 32 - 1;

/** Seed of runs that do not choose one. */
const DEFAULT_SEED = 0;

/**
 * Replicas of runs that do not choose: one. Measured on the 2-vCPU reference machine, two replicas of
 * `ratlip-shapes-32` step 0.93-1.07x as fast at batch 8 and 0.95-1.17x at batch 16 (see the README).
 */
const DEFAULT_WORKERS = 1;

/** Contrast captions per image of runs that do not choose (with `clipContrastWeight` > 0). */
const DEFAULT_CLIP_CONTRASTS = 8;

/** Foreground weight of the reconstruction term in runs that do not choose: every pixel alike. */
const DEFAULT_RECONSTRUCTION_FOREGROUND = 1;

/** Whose object pixels that weight goes to in runs that do not choose: the real image's (as before the choice existed). */
const DEFAULT_RECONSTRUCTION_FOREGROUND_OF: ReconstructionForegroundOf = 'real';

/** Most data-parallel replicas `--workers` accepts. */
const MAX_WORKERS = 64;

/** Settings a config file may hold; the command line has one option for each (camelCase to kebab-case). */
export const trainSettingsSchema = z
  .object({
    preset: z.string().refine((name) => Object.hasOwn(TRAIN_PRESETS, name), {
      error: `expected one of ${presetNames().join(', ')}`,
    }),
    dataset: textValue('a dataset spec kind:path'),
    out: textValue('a folder'),
    steps: integerValue(1),
    minutes: positiveNumberValue(),
    batchSize: integerValue(1, 65_536),
    backend: backendValue(),
    seed: integerValue(0, MAX_SEED),
    sampleEvery: integerValue(1),
    checkpointEvery: integerValue(1),
    keepCheckpoints: integerValue(1, 1000),
    evalSamples: integerValue(0),
    evalEvery: integerValue(0),
    emaDecay: unitIntervalValue(),
    generatorLearningRate: positiveNumberValue(),
    discriminatorLearningRate: positiveNumberValue(),
    workers: autoOrIntegerValue(1, MAX_WORKERS),
    hardNegativeGroup: integerValue(0, 65_536),
    clipContrastWeight: nonNegativeNumberValue(),
    clipContrasts: integerValue(1, 1024),
    hardMismatch: z.boolean(),
    reconstructionWeight: nonNegativeNumberValue(),
    reconstructionForeground: positiveNumberValue(),
    reconstructionForegroundOf: choiceValue(RECONSTRUCTION_FOREGROUND_OF),
    initFrom: textValue('a checkpoint folder or run folder'),
  })
  .partial();

/** Settings from a config file or the command line, validated. */
export type TrainSettings = z.output<typeof trainSettingsSchema>;

/** Options of `ratlip train` as given on the command line. */
export const trainOptionsSchema = trainSettingsSchema.extend({
  config: textValue('a .yaml or .json file').optional(),
  resume: textValue('a run folder').optional(),
  newClip: z.boolean().optional(),
  printConfig: z.boolean().optional(),
});

/** Validated `ratlip train` options. */
export type TrainOptions = z.output<typeof trainOptionsSchema>;

/** The settings a run trains with, after presets, config file and options are merged (its `config.json`). */
export interface ResolvedTrainConfig {
  preset: string;
  /** `kind:path` dataset spec. */
  dataset: string;
  /** Run folder. */
  out: string;
  /** Step budget, or null for none. Training stops at whichever budget is reached first. */
  steps: number | null;
  /** Wall-clock budget in minutes, or null for none. */
  minutes: number | null;
  batchSize: number;
  backend: NodeBackend;
  seed: number;
  /** Steps between `fakes-<step>.png` grids (one is also written at the end). */
  sampleEvery: number;
  /** Steps between checkpoints (one is also written at the end and on Ctrl-C). */
  checkpointEvery: number;
  /** `step-*` checkpoints kept in `checkpoints/`; older ones are removed (`checkpoints/best` is kept apart). */
  keepCheckpoints: number;
  /**
   * Images generated for each Shapes-alignment evaluation of a Shapes run, during training and at the
   * end (0: no evaluation). Every evaluation uses the same held-out captions and noise, so they compare.
   */
  evalSamples: number;
  /**
   * Steps between Shapes-alignment evaluations during training (one also runs at the end; 0: only
   * at the end). Each appends to `eval.jsonl`; the best so far is saved as `checkpoints/best`.
   * Default: the preset's.
   */
  evalEvery: number;
  /**
   * Per-step decay of the generator's exponential moving average, which sampling and evaluation use
   * (0: no average), or null for the model's own setting (the preset's, or the resumed checkpoint's).
   * Given with `--resume`, it changes the setting from the checkpoint on: switching it on starts the
   * average from the generator's current weights; the training steps themselves do not change.
   */
  emaDecay: number | null;
  /**
   * Adam learning rate of the generator, or null for the model's own (the preset model's, 1e-4 for every
   * shipped preset, or the resumed checkpoint's). Given with `--resume`, it applies from the checkpoint
   * on and the later checkpoints record it; the optimizer moments carry over, so a lower rate anneals a
   * run that has stopped improving.
   */
  generatorLearningRate: number | null;
  /**
   * Adam learning rate of the discriminator and its matching head, or null for the model's own (4e-4 for
   * every shipped preset, or the resumed checkpoint's). With `--resume`, as `generatorLearningRate`.
   */
  discriminatorLearningRate: number | null;
  /**
   * Data-parallel replicas, each a thread with its own backend stepping on an equal shard of every
   * batch (gradients averaged, as PyTorch's DistributedDataParallel). `auto`: as many as the cores
   * allow on the single-threaded wasm and cpu backends with shards of at least 2 images, else 1.
   * Default 1; a run's `config.json` records the number it used.
   */
  workers: number | 'auto';
  /**
   * Shapes runs: consecutive samples per run of alike scenes (same colour and position of the first
   * object), so that the mismatched pairs of the discriminator's matching loss (captions rolled by one)
   * often differ only in shape or size; 0 for the dataset's random order. Given with `--resume`, it
   * changes the data order from the checkpoint on. Default: the preset's.
   */
  hardNegativeGroup: number;
  /**
   * Weight of a contrastive CLIP term in the generator's loss (not in the paper; 0: the official loss).
   * Each fake's CLIP embedding must be nearer its caption than `clipContrasts` captions that do not
   * describe it, scored as CLIP scores zero-shot choices: on Shapes, its caption with exactly one
   * attribute changed (so shape and size get a signal of their own) or, for two objects, exchanged
   * between them (which object has it); elsewhere, the batch's other captions. Given with `--resume`, it applies from the checkpoint on. Default: the preset's, or 0.
   */
  clipContrastWeight: number;
  /** Contrast captions per image of the contrastive CLIP term. Default: the preset's, or 8. */
  clipContrasts: number;
  /**
   * The discriminator's mismatched pairs (not in the paper's form): besides each real image with another
   * caption of the batch (official), each with a caption that nearly describes it, the first contrast
   * caption (on Shapes: one attribute changed, or for two objects swapped between them), the mismatch
   * hinge averaging both. Given with `--resume`, it applies from the checkpoint on. Default: the
   * preset's, or false.
   */
  hardMismatch: boolean;
  /**
   * Weight of a paired reconstruction term in the generator's loss (not in the paper, as pix2pix's L1;
   * 0: the official loss): the mean absolute difference, per pixel and channel in [-1, 1] units,
   * between each fake and the real image its caption came with. For data whose captions fix the layout,
   * as Shapes. Given with `--resume`, it applies from the checkpoint on. Default: the preset's, or 0.
   */
  reconstructionWeight: number;
  /**
   * Weight, within that term, of the pixels that stand apart from the image's border colour, relative
   * to the others (1: every pixel alike). Given with `--resume`, it applies from the checkpoint on.
   * Default: the preset's, or 1.
   */
  reconstructionForeground: number;
  /**
   * Whose object pixels get that weight: `real`, the real image's only (a fake's paint over the real
   * background weighs 1), or `both`, the real or the fake image's, so that paint outside the real
   * objects costs as much as missing them. Given with `--resume`, it applies from the checkpoint on.
   * Default: the preset's, or `real`.
   */
  reconstructionForegroundOf: ReconstructionForegroundOf;
  /**
   * A fresh run's starting weights: the checkpoint (or a run's last checkpoint) whose generator,
   * discriminator and generator average the new model takes wherever they share a tensor name and shape;
   * what only the new model has (word attention added to a trained generator) keeps its initialisation.
   * Steps and optimizer state start afresh. Its CLIP must be the run's. Default null: initialise.
   */
  initFrom: string | null;
  /** The run folder this run continues, or null for a fresh run. */
  resume: string | null;
}

/** Options that a resumed run takes from its own config.json, so they may not be given with --resume. */
const FIXED_WHEN_RESUMING: ReadonlyArray<[keyof TrainOptions, string]> = [
  ['preset', '--preset'],
  ['config', '--config'],
  ['dataset', '--dataset'],
  ['out', '--out'],
  ['batchSize', '--batch-size'],
  ['seed', '--seed'],
  ['initFrom', '--init-from'],
];

/**
 * Settings a resumed sitting may change. They are written back into the run's `config.json`, so the
 * next `--resume` continues with them.
 */
export const CHANGEABLE_WHEN_RESUMING = [
  'sampleEvery',
  'checkpointEvery',
  'keepCheckpoints',
  'evalSamples',
  'evalEvery',
  'workers',
  'hardNegativeGroup',
  'clipContrastWeight',
  'clipContrasts',
  'hardMismatch',
  'reconstructionWeight',
  'reconstructionForeground',
  'reconstructionForegroundOf',
] as const satisfies ReadonlyArray<keyof ResolvedTrainConfig>;

/** The options `--resume` accepts: a new budget and backend, the generator average, and the changeable settings. */
const ALLOWED_WHEN_RESUMING = [
  '--steps',
  '--minutes',
  '--backend',
  '--ema-decay',
  '--generator-learning-rate',
  '--discriminator-learning-rate',
  '--new-clip',
  ...CHANGEABLE_WHEN_RESUMING.map(
    (key) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
  ),
];

/** A run's `config.json` with the settings of a resumed sitting. */
export function withResumedSettings(
  saved: Record<string, unknown>,
  config: ResolvedTrainConfig,
): Record<string, unknown> {
  return { ...saved, ...Object.fromEntries(CHANGEABLE_WHEN_RESUMING.map((key) => [key, config[key]])) };
}

/** Validates a config file's settings; errors name the file and the setting. */
function parseConfigSettings(raw: Record<string, unknown>, source: string): TrainSettings {
  const known = Object.keys(trainSettingsSchema.shape);
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new UsageError(`${source}: unknown setting '${unknown[0]}'; allowed: ${known.join(', ')}`);
  }
  const result = trainSettingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  throw new UsageError(`${source}: ${key}: ${issue.message}, got ${showValue(raw[key])}`);
}

/** `runs/<preset>-<yyyymmdd>-<hhmmss>` in local time. */
function defaultRunFolder(preset: string, now: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return join('runs', `${preset}-${date}-${time}`);
}

/** The step and time budget from the first level (options, then config file, then preset) that sets one. */
function budget(
  levels: ReadonlyArray<{ steps?: number; minutes?: number }>,
): Pick<ResolvedTrainConfig, 'steps' | 'minutes'> {
  const chosen = levels.find((level) => level.steps !== undefined || level.minutes !== undefined);
  return { steps: chosen?.steps ?? null, minutes: chosen?.minutes ?? null };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

/** The config of a run folder being resumed, with the budget and backend of the new sitting. */
function resumeConfig(options: TrainOptions): ResolvedTrainConfig {
  const runFolder = options.resume!;
  const given = FIXED_WHEN_RESUMING.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
  if (given.length > 0) {
    throw new UsageError(
      `--resume continues with the run's own config.json; drop ${given.join(', ')} (allowed with --resume: ${ALLOWED_WHEN_RESUMING.join(', ')})`,
    );
  }
  requireDirectory(runFolder, 'run folder');
  const configPath = join(runFolder, 'config.json');
  requireFile(configPath, 'run config (is this a run folder?)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new CliFailure(`${configPath}: not valid JSON: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CliFailure(`${configPath}: expected the JSON object a run writes`);
  }
  // A run's config.json writes null for an unset budget; the settings schema leaves it out instead.
  const known = Object.fromEntries(
    Object.entries(raw).filter(
      ([key, value]) => Object.hasOwn(trainSettingsSchema.shape, key) && value !== null,
    ),
  );
  const saved = parseConfigSettings(known, configPath);
  const preset = TRAIN_PRESETS[saved.preset ?? DEFAULT_PRESET]!;
  return {
    preset: saved.preset ?? DEFAULT_PRESET,
    dataset: saved.dataset ?? preset.dataset,
    out: runFolder,
    ...budget([definedOnly({ steps: options.steps, minutes: options.minutes }), saved, preset]),
    batchSize: saved.batchSize ?? preset.batchSize,
    backend: options.backend ?? saved.backend ?? 'auto',
    seed: saved.seed ?? DEFAULT_SEED,
    sampleEvery: options.sampleEvery ?? saved.sampleEvery ?? preset.sampleEvery,
    checkpointEvery: options.checkpointEvery ?? saved.checkpointEvery ?? preset.checkpointEvery,
    keepCheckpoints: options.keepCheckpoints ?? saved.keepCheckpoints ?? preset.keepCheckpoints,
    evalSamples: options.evalSamples ?? saved.evalSamples ?? preset.evalSamples,
    evalEvery: options.evalEvery ?? saved.evalEvery ?? preset.evalEvery,
    emaDecay: options.emaDecay ?? null,
    generatorLearningRate: options.generatorLearningRate ?? null,
    discriminatorLearningRate: options.discriminatorLearningRate ?? null,
    workers: options.workers ?? saved.workers ?? DEFAULT_WORKERS,
    hardNegativeGroup: options.hardNegativeGroup ?? saved.hardNegativeGroup ?? preset.hardNegativeGroup ?? 0,
    clipContrastWeight:
      options.clipContrastWeight ?? saved.clipContrastWeight ?? preset.clipContrastWeight ?? 0,
    clipContrasts:
      options.clipContrasts ?? saved.clipContrasts ?? preset.clipContrasts ?? DEFAULT_CLIP_CONTRASTS,
    hardMismatch: options.hardMismatch ?? saved.hardMismatch ?? preset.hardMismatch ?? false,
    reconstructionWeight:
      options.reconstructionWeight ?? saved.reconstructionWeight ?? preset.reconstructionWeight ?? 0,
    reconstructionForeground:
      options.reconstructionForeground ??
      saved.reconstructionForeground ??
      preset.reconstructionForeground ??
      DEFAULT_RECONSTRUCTION_FOREGROUND,
    reconstructionForegroundOf:
      options.reconstructionForegroundOf ??
      saved.reconstructionForegroundOf ??
      preset.reconstructionForegroundOf ??
      DEFAULT_RECONSTRUCTION_FOREGROUND_OF,
    initFrom: saved.initFrom ?? null,
    resume: runFolder,
  };
}

/**
 * Merges the command line over the config file over the preset over the defaults. A budget
 * (`steps` and/or `minutes`) given at one level replaces the lower levels' budget as a whole.
 *
 * @param now the time that names a default run folder.
 */
export function resolveTrainConfig(options: TrainOptions, now = new Date()): ResolvedTrainConfig {
  if (options.resume !== undefined) return resumeConfig(options);
  const fromFile =
    options.config === undefined ? {} : parseConfigSettings(loadConfigFile(options.config), options.config);
  const fromCli = definedOnly({
    preset: options.preset,
    dataset: options.dataset,
    out: options.out,
    steps: options.steps,
    minutes: options.minutes,
    batchSize: options.batchSize,
    backend: options.backend,
    seed: options.seed,
    sampleEvery: options.sampleEvery,
    checkpointEvery: options.checkpointEvery,
    keepCheckpoints: options.keepCheckpoints,
    evalSamples: options.evalSamples,
    evalEvery: options.evalEvery,
    emaDecay: options.emaDecay,
    generatorLearningRate: options.generatorLearningRate,
    discriminatorLearningRate: options.discriminatorLearningRate,
    workers: options.workers,
    hardNegativeGroup: options.hardNegativeGroup,
    clipContrastWeight: options.clipContrastWeight,
    clipContrasts: options.clipContrasts,
    hardMismatch: options.hardMismatch,
    reconstructionWeight: options.reconstructionWeight,
    reconstructionForeground: options.reconstructionForeground,
    reconstructionForegroundOf: options.reconstructionForegroundOf,
    initFrom: options.initFrom,
  });
  const presetName = fromCli.preset ?? fromFile.preset ?? DEFAULT_PRESET;
  const preset = TRAIN_PRESETS[presetName]!;
  return {
    preset: presetName,
    dataset: fromCli.dataset ?? fromFile.dataset ?? preset.dataset,
    out: fromCli.out ?? fromFile.out ?? defaultRunFolder(presetName, now),
    ...budget([fromCli, fromFile, preset]),
    batchSize: fromCli.batchSize ?? fromFile.batchSize ?? preset.batchSize,
    backend: fromCli.backend ?? fromFile.backend ?? 'auto',
    seed: fromCli.seed ?? fromFile.seed ?? DEFAULT_SEED,
    sampleEvery: fromCli.sampleEvery ?? fromFile.sampleEvery ?? preset.sampleEvery,
    checkpointEvery: fromCli.checkpointEvery ?? fromFile.checkpointEvery ?? preset.checkpointEvery,
    keepCheckpoints: fromCli.keepCheckpoints ?? fromFile.keepCheckpoints ?? preset.keepCheckpoints,
    evalSamples: fromCli.evalSamples ?? fromFile.evalSamples ?? preset.evalSamples,
    evalEvery: fromCli.evalEvery ?? fromFile.evalEvery ?? preset.evalEvery,
    emaDecay: fromCli.emaDecay ?? fromFile.emaDecay ?? preset.emaDecay ?? null,
    generatorLearningRate: fromCli.generatorLearningRate ?? fromFile.generatorLearningRate ?? null,
    discriminatorLearningRate:
      fromCli.discriminatorLearningRate ?? fromFile.discriminatorLearningRate ?? null,
    workers: fromCli.workers ?? fromFile.workers ?? DEFAULT_WORKERS,
    hardNegativeGroup:
      fromCli.hardNegativeGroup ?? fromFile.hardNegativeGroup ?? preset.hardNegativeGroup ?? 0,
    clipContrastWeight:
      fromCli.clipContrastWeight ?? fromFile.clipContrastWeight ?? preset.clipContrastWeight ?? 0,
    clipContrasts:
      fromCli.clipContrasts ?? fromFile.clipContrasts ?? preset.clipContrasts ?? DEFAULT_CLIP_CONTRASTS,
    hardMismatch: fromCli.hardMismatch ?? fromFile.hardMismatch ?? preset.hardMismatch ?? false,
    reconstructionWeight:
      fromCli.reconstructionWeight ?? fromFile.reconstructionWeight ?? preset.reconstructionWeight ?? 0,
    reconstructionForeground:
      fromCli.reconstructionForeground ??
      fromFile.reconstructionForeground ??
      preset.reconstructionForeground ??
      DEFAULT_RECONSTRUCTION_FOREGROUND,
    reconstructionForegroundOf:
      fromCli.reconstructionForegroundOf ??
      fromFile.reconstructionForegroundOf ??
      preset.reconstructionForegroundOf ??
      DEFAULT_RECONSTRUCTION_FOREGROUND_OF,
    initFrom: fromCli.initFrom ?? fromFile.initFrom ?? null,
    resume: null,
  };
}
