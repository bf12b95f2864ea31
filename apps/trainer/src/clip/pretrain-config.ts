import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClipConfig,
  ClipTokenizer,
  type ClipTrainerOptions,
  inferClipConfig,
  validateClipConfig,
} from '@ratlip/clip';
import { readSafetensors } from '@ratlip/runtime';
import { z } from 'zod';
import { CliFailure, UsageError } from '../cli-errors';
import { NODE_BACKENDS, type NodeBackend } from '../options/backend-option';
import {
  CLIP_PRETRAIN_PRESETS,
  type ClipPretrainPreset,
  DEFAULT_CLIP_PRETRAIN_PRESET,
} from './pretrain-presets';
import { shapesTokenIds } from './shapes-token-ids';

/** Files of a `ratlip clip pretrain` output folder. */
export const PRETRAIN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  zeroShotLog: 'zero-shot.jsonl',
  zeroShot: 'zero-shot.json',
  weights: 'clip.safetensors',
  checkpoints: 'checkpoints',
} as const;

/** How the final `clip.safetensors` keeps the token embedding. */
export type PretrainVocabulary = 'shapes' | 'all';

/** How the run's length was fixed from a time budget (`--minutes` without `--steps`). */
export interface StepsEstimate {
  /** Step at which the length was fixed. */
  atStep: number;
  /** Steps whose wall time was averaged (data, step and logging; the sitting's first step excluded). */
  measuredSteps: number;
  /** Their mean wall time, in milliseconds. */
  msPerStep: number;
  /** Time of one zero-shot evaluation (run at that step), in milliseconds; 0 without one. */
  evaluationMs: number;
  /** Time budget the length was fitted to, in minutes. */
  minutes: number;
}

/** Weights a run starts from instead of fresh ones. */
export interface PretrainInit {
  /** The CLIP weights file given to `--init`. */
  path: string;
  /** Its SHA-256, so the run records exactly what it fine-tuned. */
  sha256: string;
}

/** The resolved settings of a pretraining run, written to its `config.json`. */
export interface ClipPretrainConfig {
  /** Preset the run started from. */
  preset: string;
  /** The CLIP trained. */
  clip: ClipConfig;
  /** Weights the run fine-tunes (`--init`), or null to train from scratch (weights seeded by `seed`). */
  init: PretrainInit | null;
  /** Training data, `kind:path`. */
  dataset: string;
  /** Output folder. */
  out: string;
  /** Image-caption pairs per step. */
  batchSize: number;
  /**
   * Shapes only: batches are made of runs of this many samples whose first object shares colour and
   * size, hard negatives that leave shape and position to tell captions apart (random batches learn
   * colour and size, and never position). 0: random batches.
   */
  hardNegativeGroup: number;
  /**
   * Shapes only: every two-object sample's caption with one attribute exchanged between its objects (the
   * same words, bound the other way round) joins the step as a hard-negative text (NegCLIP). Without
   * them a CLIP matches two-object captions as bags of words.
   */
  bindingNegatives: boolean;
  /**
   * Train the text tower and the logit scale only, keeping the image embeddings of the `init` weights
   * (`ClipTrainerOptions.freezeVision`).
   */
  freezeVision: boolean;
  /** Seed of the initial weights and of the data order. */
  seed: number;
  /**
   * Length of the run in steps: the end of the learning-rate schedule and where training stops. `null`
   * while a run given only `--minutes` has not yet measured its speed (see {@link StepsEstimate}).
   */
  steps: number | null;
  /** How `steps` was estimated, or null when it was given (or taken from the preset). */
  stepsEstimate: StepsEstimate | null;
  /** Time budget of a sitting in minutes, or null. */
  minutes: number | null;
  /** AdamW, learning-rate schedule (its `totalSteps` equals `steps` once known) and clipping. */
  trainer: ClipTrainerOptions;
  /** Steps between zero-shot evaluations written to `zero-shot.jsonl`; 0: only at the end. */
  evalEvery: number;
  /** Single-object Shapes test images of each zero-shot evaluation. */
  evalImages: number;
  /** Steps between checkpoints. */
  checkpointEvery: number;
  /** Checkpoints kept, newest first. */
  keepCheckpoints: number;
  /** TensorFlow.js backend. */
  backend: NodeBackend;
  /**
   * `shapes`: the CLIP is trained on, and `clip.safetensors` keeps, only the token-embedding rows of
   * the Shapes vocabulary (`tokenIds`); `all`: the whole vocabulary (any dataset with open captions).
   */
  vocabulary: PretrainVocabulary;
  /**
   * The token ids of a closed vocabulary, strictly increasing, padding id 0 first and the end-of-text
   * id last; the trained embedding has one row per id (see `TrainingVocabulary`). Null for `all`.
   */
  tokenIds: number[] | null;
}

/** Options of `ratlip clip pretrain` as parsed from the command line. */
export interface ClipPretrainOptions {
  preset?: string | undefined;
  dataset?: string | undefined;
  out?: string | undefined;
  init?: string | undefined;
  bindingNegatives?: boolean | undefined;
  freezeVision?: boolean | undefined;
  resume?: string | undefined;
  steps?: number | undefined;
  minutes?: number | undefined;
  batchSize?: number | undefined;
  seed?: number | undefined;
  backend?: NodeBackend | undefined;
  evalEvery?: number | undefined;
  evalImages?: number | undefined;
  checkpointEvery?: number | undefined;
  keepCheckpoints?: number | undefined;
}

/** One sitting of a run: its settings and whether it continues earlier sittings. */
export interface ClipPretrainSitting {
  config: ClipPretrainConfig;
  /** True when continuing from the run's newest checkpoint. */
  resume: boolean;
  /** Step to stop at before the run's length (a resumed sitting's `--steps`). Default `config.steps`. */
  stopAtStep?: number;
}

/** Checkpoints kept by default. */
const DEFAULT_KEEP_CHECKPOINTS = 2;

/** Options that `--resume` takes from the run's `config.json` instead. */
const FIXED_BY_RUN: ReadonlyArray<[keyof ClipPretrainOptions, string]> = [
  ['preset', '--preset'],
  ['dataset', '--dataset'],
  ['init', '--init'],
  ['bindingNegatives', '--binding-negatives'],
  ['freezeVision', '--freeze-vision'],
  ['batchSize', '--batch-size'],
  ['seed', '--seed'],
  ['evalImages', '--eval-images'],
];

/** The preset named `name`; a {@link UsageError} listing the known ones otherwise. */
export function pretrainPreset(name: string): ClipPretrainPreset {
  const preset = CLIP_PRETRAIN_PRESETS[name];
  if (!preset) {
    throw new UsageError(
      `--preset: unknown preset '${name}'; known: ${Object.keys(CLIP_PRETRAIN_PRESETS).join(', ')}`,
    );
  }
  return preset;
}

/** `shapes` for Shapes data (a closed vocabulary), else `all`. */
function vocabularyOf(dataset: string): PretrainVocabulary {
  return dataset.trim() === 'shapes' || dataset.trim().startsWith('shapes:') ? 'shapes' : 'all';
}

/**
 * The settings of a sitting from the command line: a new run from a preset (`--out` required, the folder
 * must not hold a run yet), or with `--resume` the run's own `config.json` with a new budget, backend and
 * intervals. Without `--steps` and `--minutes` a new run takes the preset's length; with `--minutes`
 * alone the length is estimated from the first steps (see `ClipPretrainConfig.steps`).
 */
export async function resolvePretrainSitting(options: ClipPretrainOptions): Promise<ClipPretrainSitting> {
  if (options.resume !== undefined) return resumeSitting(options.resume, options);
  if (options.out === undefined) {
    throw new UsageError('--out <dir> is required: the folder to write the CLIP into (or --resume <dir>)');
  }
  if (existsSync(join(options.out, PRETRAIN_FILES.config))) {
    throw new CliFailure(
      `--out ${options.out}: already holds a run; continue it with --resume ${options.out} or choose another --out`,
    );
  }
  const presetName = options.preset ?? DEFAULT_CLIP_PRETRAIN_PRESET;
  const preset = pretrainPreset(presetName);
  if (preset.fineTunes && options.init === undefined) {
    throw new UsageError(
      `--init <clip.safetensors> is required with --preset ${presetName}: it fine-tunes a trained CLIP (e.g. one of --preset shapes)`,
    );
  }
  const training = await preset.training();
  const init = options.init === undefined ? null : initWeights(options.init, training.clip);
  const steps = options.steps ?? (options.minutes === undefined ? preset.steps : null);
  const dataset = options.dataset ?? preset.dataset;
  const vocabulary = vocabularyOf(dataset);
  const config: ClipPretrainConfig = {
    preset: presetName,
    clip: structuredClone(training.clip) as ClipConfig,
    init,
    dataset,
    out: options.out,
    batchSize: options.batchSize ?? preset.batchSize,
    hardNegativeGroup: preset.hardNegativeGroup,
    bindingNegatives: options.bindingNegatives ?? preset.bindingNegatives,
    freezeVision: options.freezeVision ?? preset.freezeVision,
    seed: options.seed ?? 0,
    steps,
    stepsEstimate: null,
    minutes: options.minutes ?? null,
    trainer: training.trainerOptions(steps ?? preset.steps),
    evalEvery: options.evalEvery ?? 0,
    evalImages: options.evalImages ?? preset.evalImages,
    checkpointEvery: options.checkpointEvery ?? preset.checkpointEvery,
    keepCheckpoints: options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS,
    backend: options.backend ?? 'auto',
    vocabulary,
    tokenIds: vocabulary === 'shapes' ? shapesTokenIds(await ClipTokenizer.load()) : null,
  };
  return { config, resume: false };
}

/** The `--init` weights, checked to be a CLIP of the preset's size. */
function initWeights(path: string, clip: ClipConfig): PretrainInit {
  if (!existsSync(path))
    throw new CliFailure(`--init ${path}: no such file (expected CLIP weights, .safetensors)`);
  const bytes = readFileSync(path);
  let config: ClipConfig;
  try {
    config = inferClipConfig(readSafetensors(bytes, { source: path }));
  } catch (error) {
    const message = (error as Error).message;
    throw new CliFailure(`--init ${path}: not CLIP weights (${message})`);
  }
  const sized = { vision: config.vision, text: { ...config.text, vocabSize: clip.text.vocabSize } };
  if (JSON.stringify(sized) !== JSON.stringify(clip)) {
    throw new CliFailure(
      `--init ${path}: a CLIP of ${describeClipSize(config)}, but the preset trains ${describeClipSize(clip)}`,
    );
  }
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function describeClipSize({ vision, text }: ClipConfig): string {
  return `${vision.imageSize} px, vision ${vision.width} x ${vision.layers}, text ${text.width} x ${text.layers}, embed ${vision.embedDim}`;
}

async function resumeSitting(run: string, options: ClipPretrainOptions): Promise<ClipPretrainSitting> {
  for (const [key, flag] of FIXED_BY_RUN) {
    if (options[key] !== undefined) {
      throw new UsageError(`${flag} cannot be combined with --resume: the run's config.json fixes it`);
    }
  }
  if (options.out !== undefined && options.out !== run) {
    throw new UsageError(
      `--out cannot differ from --resume: a resumed run writes into its own folder (${run})`,
    );
  }
  const saved = readPretrainConfig(run);
  if (saved.steps !== null && options.steps !== undefined && options.steps > saved.steps) {
    throw new UsageError(
      `--steps: ${options.steps} is beyond the run's length of ${saved.steps} steps, which fixed its learning-rate ` +
        'schedule (cosine to 0); train a new run for a longer schedule',
    );
  }
  if (saved.steps === null && options.steps === undefined && options.minutes === undefined) {
    throw new UsageError(
      `${run}: the run's length is not fixed yet (it stopped before measuring its speed); give --steps or --minutes`,
    );
  }
  const config: ClipPretrainConfig = {
    ...saved,
    out: run,
    minutes: options.minutes ?? null,
    evalEvery: options.evalEvery ?? saved.evalEvery,
    checkpointEvery: options.checkpointEvery ?? saved.checkpointEvery,
    keepCheckpoints: options.keepCheckpoints ?? saved.keepCheckpoints,
    backend: options.backend ?? saved.backend,
  };
  if (saved.steps === null && options.steps !== undefined) {
    config.steps = options.steps;
    config.trainer = (await pretrainPreset(saved.preset).training()).trainerOptions(options.steps);
  }
  return { config, resume: true, ...(options.steps === undefined ? {} : { stopAtStep: options.steps }) };
}

const savedConfigSchema = z.object({
  preset: z.string().refine((name) => name in CLIP_PRETRAIN_PRESETS, { error: 'unknown preset' }),
  clip: z.object({
    vision: z.object({
      imageSize: z.number(),
      patchSize: z.number(),
      width: z.number(),
      layers: z.number(),
      heads: z.number(),
      embedDim: z.number(),
    }),
    text: z.object({
      contextLength: z.number(),
      vocabSize: z.number(),
      width: z.number(),
      layers: z.number(),
      heads: z.number(),
      embedDim: z.number(),
    }),
  }),
  init: z
    .object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
    .nullable()
    .default(null),
  dataset: z.string().min(1),
  out: z.string(),
  batchSize: z.number().int().min(2),
  hardNegativeGroup: z.number().int().min(0).default(0),
  bindingNegatives: z.boolean().default(false),
  freezeVision: z.boolean().default(false),
  seed: z.number().int().min(0),
  steps: z.number().int().min(1).nullable(),
  stepsEstimate: z
    .object({
      atStep: z.number().int(),
      measuredSteps: z.number().int(),
      msPerStep: z.number(),
      evaluationMs: z.number(),
      minutes: z.number(),
    })
    .nullable(),
  minutes: z.number().positive().nullable(),
  trainer: z.object({
    schedule: z.object({
      peak: z.number(),
      warmupSteps: z.number().int().optional(),
      totalSteps: z.number().int(),
      final: z.number().optional(),
    }),
    optimizer: z
      .object({
        beta1: z.number().optional(),
        beta2: z.number().optional(),
        epsilon: z.number().optional(),
        weightDecay: z.number().optional(),
      })
      .optional(),
    maxGradientNorm: z.number().optional(),
    maxLogitScale: z.number().optional(),
    cropText: z.boolean().optional(),
  }),
  evalEvery: z.number().int().min(0),
  evalImages: z.number().int().min(1),
  checkpointEvery: z.number().int().min(1),
  keepCheckpoints: z.number().int().min(1),
  backend: z.enum(NODE_BACKENDS),
  vocabulary: z.enum(['shapes', 'all']),
  tokenIds: z.array(z.number().int().min(0)).min(2).nullable(),
});

/** The options of the run's `ClipTrainer`. */
export function pretrainTrainerOptions(config: ClipPretrainConfig): ClipTrainerOptions {
  return { ...config.trainer, freezeVision: config.freezeVision };
}

/** The `config.json` of a pretraining run folder, checked; a {@link CliFailure} naming the problem otherwise. */
export function readPretrainConfig(run: string): ClipPretrainConfig {
  const path = join(run, PRETRAIN_FILES.config);
  if (!existsSync(path)) {
    throw new CliFailure(
      `--resume ${run}: no ${PRETRAIN_FILES.config} (not a 'ratlip clip pretrain' folder)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliFailure(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = savedConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliFailure(`${path}: '${issue.path.join('.')}': ${issue.message}`);
  }
  const config = parsed.data as ClipPretrainConfig;
  try {
    validateClipConfig(config.clip, `${path}: clip`);
  } catch (error) {
    throw new CliFailure((error as Error).message);
  }
  return config;
}
