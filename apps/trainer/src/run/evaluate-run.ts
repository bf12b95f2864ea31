import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClipModel, ClipTokenizer } from '@ratlip/clip';
import { openDataset, parseDatasetSpec, ShapesDataset, type TextImageDataset } from '@ratlip/datasets';
import { nodeDatasetIO } from '@ratlip/datasets/node';
import {
  type EvalBatch,
  type EvaluationProgress,
  evaluateMetrics,
  type FeatureMatrix,
  type GaussianStatistics,
  type InceptionV3,
  type MetricRequest,
  SHAPES_ATTRIBUTES,
  shapesObjectCountKey,
} from '@ratlip/eval';
import type { RatlipGan } from '@ratlip/ratlip-gan';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { CliFailure, UsageError } from '../cli-errors';
import {
  type InceptionWeightsOptions,
  loadInceptionExtractor,
  readFidReference,
} from '../eval/inception-resources';
import { openReferenceImages, referenceFeatures } from '../eval/reference-images';
import {
  appendEvaluation,
  type EvaluationOrigin,
  type EvaluationRecord,
  readEvaluations,
} from './evaluation-log';
import { loadRunModel } from './load-run-model';
import { RUN_FILES, readCheckpointModelConfig, resolveCheckpoint, runFolderOf } from './run-folder';

export type { EvaluationRecord } from './evaluation-log';

/** Metrics `ratlip eval` computes. */
export const EVAL_METRICS = ['fid', 'kid', 'clip-score', 'shapes-alignment'] as const;

/** A metric name {@link evaluateRun} accepts. */
export type EvalMetric = (typeof EVAL_METRICS)[number];

/** Images per generator call (and per Inception call) when the caller does not say. */
export const DEFAULT_EVAL_BATCH = 16;

/** Split a run is evaluated on, by dataset kind: Shapes' compositions never seen in training; else `test`. */
const EVALUATION_SPLITS: Readonly<Record<string, string>> = { shapes: 'heldout' };

/** The split whose captions (and, for KID, images) evaluate a run trained on `datasetSpec`. */
export function evaluationSplit(datasetSpec: string): string {
  return EVALUATION_SPLITS[parseDatasetSpec(datasetSpec).kind] ?? 'test';
}

/** The frozen CLIP a run trained with, as the CLIP score uses it. */
export interface EvaluationClip {
  clip: ClipModel;
  tokenizer: ClipTokenizer;
  /** Where the CLIP came from (a run's `config.json` `clip` entry), named in the report. */
  source: object;
}

/** Inputs FID and KID compare against, prepared before any image is generated. */
export interface EvaluationReferences {
  /** Inception-v3 pool3, shared by FID and KID (features computed once per batch). */
  inception?: InceptionV3;
  /** FID reference statistics and their name. */
  fid?: { statistics: GaussianStatistics; name: string };
  /** KID reference features and their name. */
  kid?: { features: FeatureMatrix; name: string };
}

/** Options of {@link evaluateModel}. */
export interface ModelEvaluationOptions {
  /** The generator, with a sentence encoder. */
  model: RatlipGan;
  /** The CLIP the run trained with (for the CLIP score). */
  runClip: EvaluationClip;
  /** Training step of the weights. */
  step: number;
  /** Checkpoint folder of the weights, or null when they are only in memory. */
  checkpoint: string | null;
  /** Dataset spec whose evaluation split ({@link evaluationSplit}) gives the captions. */
  dataset: string;
  metrics: readonly EvalMetric[];
  /** Images generated, one per caption (captions repeat when the split is smaller). */
  samples: number;
  /** Seed of the noise: one stream of N(0, 1) rows, one per image in order. */
  seed: number;
  by: EvaluationOrigin;
  /** Needed for `fid` and `kid`. */
  references?: EvaluationReferences;
  /** Images per generator call. Default {@link DEFAULT_EVAL_BATCH}. */
  batchSize?: number;
  /**
   * Which generator weights: `'average'` (default), the moving average when the model keeps one, as
   * sampling uses; `'training'`, the weights training updates (the average lags new behaviour by
   * about 1 / (1 - decay) steps).
   */
  weights?: GeneratorWeights;
  onProgress?: (progress: EvaluationProgress) => void;
}

/** The generator weights an evaluation uses, see {@link ModelEvaluationOptions.weights}. */
export type GeneratorWeights = 'average' | 'training';

interface MetricContext {
  dataset: TextImageDataset;
  runClip: EvaluationClip;
  model: RatlipGan;
  references: EvaluationReferences;
}

function required<T>(value: T | undefined, metric: string, what: string): T {
  if (value === undefined) throw new Error(`evaluateModel: ${metric} needs ${what} (references.${what})`);
  return value;
}

/** How each metric's request is built from what the evaluation has. */
const METRIC_REQUESTS: Readonly<Record<EvalMetric, (context: MetricContext) => MetricRequest>> = {
  'shapes-alignment': ({ dataset }) => {
    if (!(dataset instanceof ShapesDataset)) {
      throw new CliFailure(
        `shapes-alignment scores Shapes captions only; this model is evaluated on ${dataset.split} captions of another dataset`,
      );
    }
    return { metric: 'shapes-alignment', options: { dataset } };
  },
  'clip-score': ({ runClip, model }) => ({
    metric: 'clip-score',
    options: {
      model: runClip.clip,
      tokenizer: runClip.tokenizer,
      weightsName: `the run's CLIP (${model.config.clip.model}, ${JSON.stringify(runClip.source)})`,
      preprocessing: 'standard',
    },
  }),
  fid: ({ references }) => {
    const fid = required(references.fid, 'fid', 'fid');
    return {
      metric: 'fid',
      options: {
        extractor: required(references.inception, 'fid', 'inception'),
        reference: fid.statistics,
        referenceName: fid.name,
      },
    };
  },
  kid: ({ references }) => {
    const kid = required(references.kid, 'kid', 'kid');
    return {
      metric: 'kid',
      options: {
        extractor: required(references.inception, 'kid', 'inception'),
        reference: kid.features,
        referenceName: kid.name,
      },
    };
  },
};

/**
 * Generates `samples` images for the captions of the run dataset's evaluation split (Shapes: the
 * held-out compositions) with fixed noise and scores them in one pass. Nothing is written; the
 * model is not changed, and no random state besides the local noise generator is drawn from.
 */
export async function evaluateModel(options: ModelEvaluationOptions): Promise<EvaluationRecord> {
  const { model, samples, seed } = options;
  const split = evaluationSplit(options.dataset);
  const dataset = await openDataset(options.dataset, {
    io: nodeDatasetIO(),
    split,
    shapes: { imageSize: model.config.imageSize },
  });
  if (dataset.size === 0) throw new CliFailure(`${options.dataset}: the ${split} split is empty`);
  const context: MetricContext = {
    dataset,
    model,
    runClip: options.runClip,
    references: options.references ?? {},
  };
  const requests = options.metrics.map((metric) => METRIC_REQUESTS[metric](context));
  const captions: string[] = [];
  for (let index = 0; index < samples; index++) {
    captions.push((await dataset.loadCaptions(index % dataset.size))[0]!);
  }
  const batchSize = options.batchSize ?? DEFAULT_EVAL_BATCH;
  const noiseDim = model.config.generator.noiseDim;
  // One noise stream for all images, so the figures do not depend on the batch size.
  const random = new SeededRandom(seed);
  function* batches(): Generator<EvalBatch> {
    for (let start = 0; start < captions.length; start += batchSize) {
      const texts = captions.slice(start, start + batchSize);
      const noise = tf.tensor2d(random.normalArray(texts.length * noiseDim), [texts.length, noiseDim]);
      const images = model.generate({ texts, noise, useEma: options.weights !== 'training' });
      noise.dispose();
      yield { images, captions: texts };
    }
  }
  const report = await evaluateMetrics({
    metrics: requests,
    batches: batches(),
    expectedSamples: captions.length,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    time: new Date().toISOString(),
    checkpoint: options.checkpoint,
    step: options.step,
    captions: `${parseDatasetSpec(options.dataset).kind} ${dataset.split}`,
    samples: report.sampleCount,
    seed,
    by: options.by,
    backend: report.backend,
    ...(options.weights === 'training' && model.ema ? { weights: 'training' as const } : {}),
    metrics: report.metrics,
  };
}

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** Run folder (newest checkpoint) or checkpoint folder (e.g. `<run>/checkpoints/best`). */
  source: string;
  metrics: readonly EvalMetric[];
  /** Images generated. */
  samples: number;
  /** Seed of the noise. */
  seed: number;
  /**
   * Dataset spec for the captions and the default KID reference. Default: the run's `config.json`
   * dataset, else `shapes` for a Shapes model.
   */
  dataset?: string;
  /** Inception-v3 weights; required for `fid` and `kid`. */
  inceptionWeights?: InceptionWeightsOptions;
  /** FID reference statistics `.npz` (`mu [2048]`, `sigma [2048, 2048]`); required for `fid`. */
  statistics?: string;
  /** KID reference images: an image folder or a dataset `kind:path`. Default: the run's dataset. */
  reference?: string;
  /** Split of a reference dataset. Default: {@link evaluationSplit} of it (Shapes: `heldout`, else `test`). */
  referenceSplit?: string;
  /** Reference images for KID (fewer when the reference has fewer). Default: `samples`. */
  referenceSamples?: number;
  /** Images per generator and Inception call. Default {@link DEFAULT_EVAL_BATCH}. */
  batchSize?: number;
  /** Which generator weights, see {@link ModelEvaluationOptions.weights}. Default `'average'`. */
  weights?: GeneratorWeights;
  onProgress?: (progress: EvaluationProgress) => void;
}

/** The metrics that need Inception-v3. */
const INCEPTION_METRICS: ReadonlyArray<EvalMetric> = ['fid', 'kid'];

/** Throws a one-line {@link UsageError} naming the missing option when a metric lacks an input. */
function checkRequiredInputs(options: EvaluateRunOptions): void {
  const needInception = options.metrics.filter((metric) => INCEPTION_METRICS.includes(metric));
  if (needInception.length > 0 && !options.inceptionWeights) {
    throw new UsageError(
      `--inception-weights: required for ${needInception.join(' and ')}: Inception-v3 weights as .safetensors or torch .pth (see ratlip fid stats --help)`,
    );
  }
  if (options.metrics.includes('fid') && options.statistics === undefined) {
    throw new UsageError(
      '--stats: required for fid: reference statistics .npz with mu [2048] and sigma [2048, 2048] (ratlip fid stats writes them; official *_FIDK0.npz files work)',
    );
  }
}

/** A JSON file's content; unreadable JSON is a {@link CliFailure} naming the file. */
function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliFailure(
      `${path}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The dataset a checkpoint is evaluated on: the option, the run's config.json, or Shapes for a Shapes model. */
function datasetOf(
  options: EvaluateRunOptions,
  run: string | undefined,
  modelDataset: string | null,
): string {
  if (options.dataset !== undefined) return options.dataset;
  if (run !== undefined) {
    const config = readJsonFile(join(run, RUN_FILES.config)) as { dataset?: unknown } | null;
    if (typeof config?.dataset === 'string') return config.dataset;
  }
  if (modelDataset === 'shapes') return 'shapes';
  throw new CliFailure(
    `${options.source}: no run config.json names the dataset to take captions from; pass --dataset kind:path`,
  );
}

/** The step recorded in a checkpoint's state.json. */
function checkpointStep(checkpoint: string): number | undefined {
  const path = join(checkpoint, 'state.json');
  if (!existsSync(path)) return undefined;
  const step = (readJsonFile(path) as { step?: unknown } | null)?.step;
  return typeof step === 'number' ? step : undefined;
}

/**
 * A record training already wrote for exactly this evaluation (same weights, the run's captions,
 * the same noise and metrics; the batch size does not change the figures).
 */
function reusableRecord(
  run: string,
  checkpoint: string,
  options: EvaluateRunOptions,
): EvaluationRecord | undefined {
  if (options.dataset !== undefined || options.weights === 'training') return undefined;
  const step = checkpointStep(checkpoint);
  const wanted = [...options.metrics].sort().join(',');
  return readEvaluations(run).find(
    (record) =>
      record.by === 'training' &&
      record.step === step &&
      record.samples === options.samples &&
      record.seed === options.seed &&
      record.metrics
        .map((report) => report.metric)
        .sort()
        .join(',') === wanted,
  );
}

async function prepareReferences(
  options: EvaluateRunOptions,
  dataset: string,
  imageSize: number,
): Promise<EvaluationReferences> {
  const references: EvaluationReferences = {};
  if (options.metrics.includes('fid')) {
    const path = options.statistics!;
    references.fid = { statistics: readFidReference(path), name: path };
  }
  if (!options.inceptionWeights || !options.metrics.some((metric) => INCEPTION_METRICS.includes(metric)))
    return references;
  const spec = options.reference ?? dataset;
  const flag = options.reference === undefined ? 'the run dataset' : '--reference';
  const source = options.metrics.includes('kid')
    ? await openReferenceImages({
        spec,
        split: options.referenceSplit ?? evaluationSplit(spec),
        imageSize,
        flag,
      })
    : undefined;
  const inception = loadInceptionExtractor(options.inceptionWeights);
  references.inception = inception;
  if (source) {
    try {
      const count = options.referenceSamples ?? options.samples;
      const features = await referenceFeatures(
        source,
        count,
        inception,
        options.batchSize ?? DEFAULT_EVAL_BATCH,
      );
      references.kid = { features, name: `${source.description}, first ${features.rows}` };
    } catch (error) {
      inception.dispose();
      throw error;
    }
  }
  return references;
}

/**
 * Evaluates a run folder (its newest checkpoint) or a checkpoint folder: generates `samples` images
 * for the evaluation split's captions and computes the requested metrics. FID needs `statistics` and
 * KID reference images (default: the run's dataset); both need `inceptionWeights`. Inputs are
 * checked before any image is generated. When the checkpoint belongs to a run folder the record is
 * appended to its `eval.jsonl`, unless training already wrote the same evaluation, which is returned.
 */
export async function evaluateRun(options: EvaluateRunOptions): Promise<EvaluationRecord> {
  checkRequiredInputs(options);
  const checkpoint = resolveCheckpoint(options.source);
  const run = runFolderOf(options.source);
  if (run !== undefined) {
    const reused = reusableRecord(run, checkpoint, options);
    if (reused) return reused;
  }
  const modelConfig = readCheckpointModelConfig(checkpoint);
  const dataset = datasetOf(options, run, modelConfig.dataset);
  const references = await prepareReferences(options, dataset, modelConfig.imageSize);
  try {
    const loaded = await loadRunModel(checkpoint);
    try {
      const record = await evaluateModel({
        model: loaded.model,
        runClip: loaded.runClip,
        step: loaded.state.step,
        checkpoint,
        dataset,
        metrics: options.metrics,
        samples: options.samples,
        seed: options.seed,
        by: 'ratlip eval',
        references,
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.weights !== undefined ? { weights: options.weights } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      if (run !== undefined) appendEvaluation(run, record);
      return record;
    } finally {
      loaded.dispose();
    }
  } finally {
    references.inception?.dispose();
  }
}

/** Attributes of the Shapes-alignment breakdown, in print order. */
const SHAPES_LINES = ['colour', 'shape', 'size', 'position', 'object', 'count', 'overall'] as const;

/** Human-readable lines of a record: per-attribute accuracy with its chance level, then the other metrics. */
export function describeEvaluation(record: EvaluationRecord): string[] {
  const weights = record.weights === 'training' ? ' (training weights, not the moving average)' : '';
  const lines = [`step ${record.step}${weights}, ${record.samples} images for ${record.captions} captions`];
  for (const report of record.metrics) {
    if (report.metric === 'shapes-alignment' && report.breakdown) {
      const b = report.breakdown;
      for (const attribute of SHAPES_LINES) {
        const chance = b[`chance${attribute[0]!.toUpperCase()}${attribute.slice(1)}`];
        lines.push(
          `  ${attribute.padEnd(9)} ${(b[attribute] ?? 0).toFixed(3)}${chance === undefined ? '' : `  (chance ${chance.toFixed(3)})`}`,
        );
      }
      for (let objects = 1; b[shapesObjectCountKey('captions', objects)] !== undefined; objects++) {
        const figures = [...SHAPES_ATTRIBUTES, 'overall'].map(
          (field) => `${field} ${(b[shapesObjectCountKey(field, objects)] ?? 0).toFixed(3)}`,
        );
        const captions = b[shapesObjectCountKey('captions', objects)];
        const count = b[shapesObjectCountKey('count', objects)];
        const countErrors =
          count === undefined
            ? ''
            : `, count ${count.toFixed(3)} (too few ${(b[shapesObjectCountKey('tooFew', objects)] ?? 0).toFixed(3)}, too many ${(b[shapesObjectCountKey('tooMany', objects)] ?? 0).toFixed(3)})`;
        lines.push(
          `  captions with ${objects} object${objects === 1 ? '' : 's'} (${captions}): ${figures.join(', ')}${countErrors}`,
        );
        const borrowed = SHAPES_ATTRIBUTES.flatMap((attribute) => {
          const share = b[shapesObjectCountKey(`${attribute}Borrowed`, objects)];
          return share === undefined ? [] : [`${attribute} ${share.toFixed(3)}`];
        });
        if (borrowed.length > 0) lines.push(`    shown with another object's value: ${borrowed.join(', ')}`);
      }
    } else {
      const spread = report.std === undefined ? '' : ` ± ${report.std.toPrecision(3)}`;
      lines.push(`  ${report.metric} ${report.value.toFixed(4)}${spread}`);
    }
  }
  return lines;
}
