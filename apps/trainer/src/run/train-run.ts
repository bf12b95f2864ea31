import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataPipeline, openDataset, type PipelineState, parseDatasetSpec } from '@ratlip/datasets';
import { nodeDatasetIO } from '@ratlip/datasets/node';
import {
  type LearningRates,
  loadCheckpoint,
  RatlipGan,
  RatlipTrainer,
  type ResolvedRatlipConfig,
  resolveConfig,
  saveCheckpoint,
  type TrainBatch,
  type TrainStepResult,
} from '@ratlip/ratlip-gan';
import { SeededRandom, type SeededRandomState, useBackend } from '@ratlip/runtime';
import { writeFileAtomic } from '@ratlip/runtime/node';
import * as tf from '@tensorflow/tfjs';
import { CliFailure } from '../cli-errors';
import type { CliIO } from '../cli-io';
import { type ResolvedTrainConfig, withResumedSettings } from '../train/train-config';
import { TRAIN_PRESETS } from '../train/train-presets';
import { type BestCheckpointInfo, bestCandidate, isBetter, readBestCheckpoint } from './best-checkpoint';
import { contrastCaptionSource, encodeContrastSentences } from './contrast-captions';
import {
  type ReplicaBatch,
  replicaBatchOf,
  trainBatchOf,
  trainBatchTensors,
} from './data-parallel/replica-batch';
import { resolveReplicaCount } from './data-parallel/replica-count';
import { ReplicaPool } from './data-parallel/replica-pool';
import { evaluateModel } from './evaluate-run';
import { appendEvaluation, type EvaluationRecord, metricReport } from './evaluation-log';
import { loadInitialWeights } from './init-from';
import { stopRequested } from './interrupt-signal';
import { appendJsonLine, truncateJsonLinesAfter } from './json-lines';
import { memoryUsage } from './memory-usage';
import { writeImageGrid } from './png-images';
import { ProgressReporter } from './progress-reporter';
import { checkResumedClip, loadRunClip, type RunClipSource } from './run-clip';
import {
  bestCheckpointFolder,
  checkpointFolder,
  fakesFileName,
  listCheckpoints,
  pruneCheckpoints,
  RUN_FILES,
  readCheckpointModelConfig,
} from './run-folder';
import { shapesGrouping } from './shapes-grouping';
import { openTensorBoardLog } from './tensorboard-log';
import { writeTrainingReport } from './training-report';

/** Images in each `fakes-<step>.png` grid (fixed noise, the first captions of the dataset). */
const FIXED_SAMPLE_COUNT = 8;

/** Offset of the fixed-noise seed from the run seed, so it differs from the training noise stream. */
const FIXED_NOISE_SEED_OFFSET = 1_000_003;

/** The metric of the evaluations during training, which also ranks the checkpoints. */
const TRAINING_METRIC = 'shapes-alignment';

/** Tells a running training loop to stop after the current step (Ctrl-C). */
export interface StopSignal {
  stopRequested: boolean;
}

/** Why a training sitting ended. */
export type StopReason = 'steps' | 'minutes' | 'interrupted' | 'data';

/** What a finished sitting reports. */
export interface TrainRunResult {
  run: string;
  /** Total steps of the run (all sittings). */
  step: number;
  /** Steps of this sitting. */
  sittingSteps: number;
  stoppedBy: StopReason;
  /** Mean training-step time of this sitting, in milliseconds (the first step excluded when possible). */
  msPerStep: number;
  backend: string;
  /** The last evaluation of this sitting (none when the run is not evaluated or took no step). */
  evaluation?: EvaluationRecord;
  /** What made `checkpoints/best` the best, when the run has one. */
  best?: BestCheckpointInfo;
}

/** Options of {@link runTraining} besides the config. */
export interface RunTrainingOptions {
  /** The data-parallel replica thread's script. Default: `replica-worker.js` beside the bundle. */
  replicaWorkerScript?: URL;
  /**
   * Resuming: continue even when the run's CLIP is no longer the one its `config.json` records (a new
   * shipped CLIP), recording the change in `config.json` (`clipChanges`). Default false: that is an error.
   */
  acceptNewClip?: boolean;
}

/** What a checkpoint carries besides the model and trainer. */
interface CheckpointExtra {
  pipeline: PipelineState;
  /** The CLIP the checkpoint was trained with: sampling checks that it finds the same one. */
  clip: RunClipSource;
  /** Data-parallel runs: the noise states of replicas 1.. (rank 0's is the trainer's). */
  replicaNoise?: SeededRandomState[];
  /** In `checkpoints/best` only: the evaluation that made it the best. */
  best?: BestCheckpointInfo;
}

/** The generator-EMA setting a `--ema-decay` asks for (undefined: the model's own). */
function emaSetting(config: ResolvedTrainConfig): ResolvedRatlipConfig['training']['ema'] | undefined {
  if (config.emaDecay === null) return undefined;
  return config.emaDecay > 0 ? { enabled: true, decay: config.emaDecay } : { enabled: false, decay: 0 };
}

/** The Adam learning rates `--generator-learning-rate` and `--discriminator-learning-rate` ask for. */
function learningRatesOf(config: ResolvedTrainConfig): LearningRates {
  return {
    ...(config.generatorLearningRate !== null ? { generator: config.generatorLearningRate } : {}),
    ...(config.discriminatorLearningRate !== null ? { discriminator: config.discriminatorLearningRate } : {}),
  };
}

/** `model` with the learning rates a run asks for; the replicas step with the same. */
function withLearningRates(model: ResolvedRatlipConfig, rates: LearningRates): ResolvedRatlipConfig {
  const training = {
    ...model.training,
    learningRateG: rates.generator ?? model.training.learningRateG,
    learningRateD: rates.discriminator ?? model.training.learningRateD,
  };
  return { ...model, training };
}

function modelConfigFor(config: ResolvedTrainConfig): ResolvedRatlipConfig {
  const preset = TRAIN_PRESETS[config.preset]!;
  const ema = emaSetting(config);
  const model = resolveConfig(preset.model, {
    training: { batchSize: config.batchSize, seed: config.seed, ...(ema ? { ema } : {}) },
  });
  return withLearningRates(model, learningRatesOf(config));
}

/**
 * A batch's text for one step: its sentence embeddings, its word features when the generator reads
 * them, and the sentence embeddings of the contrastive CLIP term, if on.
 */
type StepText = Omit<TrainBatch, 'images'>;

/** One training step on the whole batch. Disposes `text`. */
function singleStep(
  trainer: RatlipTrainer,
  images: Float32Array,
  imageShape: readonly [number, number, number, number],
  text: StepText,
): TrainStepResult {
  const imageTensor = tf.tensor4d(images, [...imageShape]);
  try {
    return trainer.step({ images: imageTensor, ...text });
  } finally {
    tf.dispose([imageTensor, ...trainBatchTensors(text)]);
  }
}

/** One data-parallel step: replicas 1.. take their shards, rank 0 steps on the first. Disposes `text`. */
async function replicatedStep(
  pool: ReplicaPool,
  trainer: RatlipTrainer,
  images: Float32Array,
  imageShape: readonly [number, number, number, number],
  text: StepText,
): Promise<TrainStepResult> {
  let batch: ReplicaBatch;
  try {
    batch = replicaBatchOf({ values: images, shape: [...imageShape] }, text);
  } finally {
    tf.dispose(trainBatchTensors(text));
  }
  const first = trainBatchOf(pool.dispatch(batch));
  let result: TrainStepResult;
  try {
    result = trainer.step(first);
  } catch (error) {
    throw await pool.failure(error);
  } finally {
    tf.dispose(trainBatchTensors(first));
  }
  await pool.stepped();
  return result;
}

/** Whether a run is evaluated (Shapes alignment needs Shapes captions). */
function evaluatesDuringTraining(config: ResolvedTrainConfig): boolean {
  return config.evalSamples > 0 && parseDatasetSpec(config.dataset).kind === 'shapes';
}

/** `values` with every name prefixed, e.g. `loss/` + `d`. */
function prefixed(prefix: string, values: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`${prefix}${name}`, value]));
}

function budgetReached(config: ResolvedTrainConfig, step: number, elapsedMs: number): StopReason | undefined {
  if (config.steps !== null && step >= config.steps) return 'steps';
  if (config.minutes !== null && elapsedMs >= config.minutes * 60_000) return 'minutes';
  return undefined;
}

/**
 * Trains (or resumes) a run: writes `config.json`, `reals.png`, `fakes-<step>.png`, `metrics.jsonl`
 * (losses, gradient norms, step time, images/s, memory, tensor count), `checkpoints/step-*` (the last
 * `keepCheckpoints`, atomic), `report.html` and, with the tfjs-node backend, TensorBoard event files
 * in `tensorboard/`. A Shapes run with `evalSamples > 0` is evaluated (Shapes alignment on held-out
 * captions) every `evalEvery` steps and at the end into `eval.jsonl`, and the best evaluated weights
 * are saved as `checkpoints/best` (a full checkpoint, written atomically). Stops at the step or time
 * budget, when the data ends, or after the current step when `stop` is raised; a final checkpoint is
 * written in every case. A resumed run drops the log records after its checkpoint's step.
 */
export async function runTraining(
  config: ResolvedTrainConfig,
  io: CliIO,
  stop: StopSignal = { stopRequested: false },
  options: RunTrainingOptions = {},
): Promise<TrainRunResult> {
  const run = config.out;
  const resuming = config.resume !== null;
  const latest = listCheckpoints(run).at(-1);
  if (resuming && !latest)
    throw new CliFailure(`--resume ${run}: the run has no checkpoints to continue from`);
  if (!resuming && existsSync(join(run, RUN_FILES.config))) {
    throw new CliFailure(
      `--out ${run}: already holds a run; continue it with --resume ${run} or choose another --out`,
    );
  }
  const backend = await useBackend(config.backend);
  const replicas = resolveReplicaCount(config.workers, backend.name, config.batchSize);
  let pool: ReplicaPool | undefined;
  const replicaMean = replicas > 1 ? (values: Float32Array) => pool!.replicaMean(values) : undefined;
  const learningRates = learningRatesOf(config);
  const modelConfig =
    latest && resuming
      ? withLearningRates(readCheckpointModelConfig(latest.path), learningRates)
      : modelConfigFor(config);
  const runClip = await loadRunClip(modelConfig);
  const { clip, sentenceEncoder } = runClip;
  let clipChange: ReturnType<typeof checkResumedClip>;
  try {
    clipChange =
      resuming && latest
        ? checkResumedClip(run, runClip.source, latest.step, options.acceptNewClip ?? false)
        : undefined;
  } catch (error) {
    clip.dispose();
    throw error;
  }
  const clipContrast =
    config.clipContrastWeight > 0
      ? { weight: config.clipContrastWeight, logitScale: Math.exp(clip.logitScale.arraySync()) }
      : undefined;
  const contrastSource = contrastCaptionSource(parseDatasetSpec(config.dataset).kind);
  const reconstruction =
    config.reconstructionWeight > 0
      ? {
          weight: config.reconstructionWeight,
          foregroundWeight: config.reconstructionForeground,
          foregroundOf: config.reconstructionForegroundOf,
        }
      : undefined;
  const trainerOptions = {
    ...(replicaMean ? { replicaMean } : {}),
    ...(clipContrast ? { clipContrast } : {}),
    ...(config.hardMismatch ? { hardMismatch: true } : {}),
    ...(reconstruction ? { reconstruction } : {}),
  };
  const dataset = await openDataset(config.dataset, {
    io: nodeDatasetIO(),
    shapes: { imageSize: modelConfig.imageSize },
  });
  const fixedCaptions: string[] = [];
  for (let index = 0; index < Math.min(FIXED_SAMPLE_COUNT, dataset.size); index++) {
    fixedCaptions.push((await dataset.loadCaptions(index))[0]!);
  }
  mkdirSync(run, { recursive: true });
  let model: RatlipGan;
  let trainer: RatlipTrainer;
  let pipelineState: PipelineState | undefined;
  let replicaNoise: SeededRandomState[] = [];
  if (resuming && latest) {
    const ema = emaSetting(config);
    const loaded = await loadCheckpoint(latest.path, {
      vision: clip.vision,
      sentenceEncoder,
      trainer: true,
      trainerOptions,
      learningRates,
      ...(ema ? { ema } : {}),
    });
    model = loaded.model;
    if (!loaded.trainer)
      throw new CliFailure(`${latest.path}: has no optimizer state to resume training from`);
    trainer = loaded.trainer;
    const extra = loaded.state.extra as CheckpointExtra | undefined;
    pipelineState = extra?.pipeline;
    replicaNoise = extra?.replicaNoise ?? [];
    const configPath = join(run, RUN_FILES.config);
    const saved = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    // The model section follows the sitting's learning rates and average, as the checkpoints do.
    const resumed = { ...withResumedSettings(saved, { ...config, workers: replicas }), model: model.config };
    await writeFileAtomic(
      configPath,
      `${JSON.stringify(clipChange ? { ...resumed, ...clipChange } : resumed, null, 2)}\n`,
    );
    truncateJsonLinesAfter(join(run, RUN_FILES.metrics), loaded.state.step);
    truncateJsonLinesAfter(join(run, RUN_FILES.evaluation), loaded.state.step);
  } else {
    const runConfig = {
      ...config,
      workers: replicas,
      model: modelConfig,
      clip: runClip.source,
      fixedCaptions,
    };
    let initialWeights: RatlipGan | undefined;
    try {
      if (config.initFrom !== null) initialWeights = await loadInitialWeights(config.initFrom, runClip);
    } catch (error) {
      clip.dispose();
      throw error;
    }
    // tidy frees the temporaries that initialisation and Adam's zero moments leave behind; tidy keeps tf.Variables.
    let created: { fresh: RatlipGan; freshTrainer: RatlipTrainer } | undefined;
    try {
      tf.tidy(() => {
        const options = { vision: clip.vision, sentenceEncoder, seed: config.seed };
        const fresh = initialWeights
          ? RatlipGan.initializedFrom(modelConfig, initialWeights, { ...options, withDiscriminator: true })
          : RatlipGan.create(modelConfig, options);
        created = { fresh, freshTrainer: new RatlipTrainer(fresh, { seed: config.seed, ...trainerOptions }) };
      });
    } catch (error) {
      clip.dispose();
      throw config.initFrom === null
        ? error
        : new CliFailure(`--init-from ${config.initFrom}: ${(error as Error).message}`);
    } finally {
      initialWeights?.dispose();
    }
    model = created!.fresh;
    trainer = created!.freshTrainer;
    await writeFileAtomic(join(run, RUN_FILES.config), `${JSON.stringify(runConfig, null, 2)}\n`);
  }
  if (replicas > 1) {
    try {
      pool = await ReplicaPool.start({
        replicas,
        model,
        modelConfig,
        backend: backend.name,
        seed: config.seed,
        ...(resuming && latest ? { resume: { checkpoint: latest.path, noiseStates: replicaNoise } } : {}),
        ...(options.replicaWorkerScript ? { workerScript: options.replicaWorkerScript } : {}),
        ...(clipContrast ? { clipContrast } : {}),
        ...(config.hardMismatch ? { hardMismatch: true } : {}),
        ...(reconstruction ? { reconstruction } : {}),
      });
    } catch (error) {
      trainer.dispose();
      model.dispose();
      clip.dispose();
      throw error;
    }
  }
  // Rolled by one, neighbours' captions then differ in shape or size, which the matching loss must learn.
  const group = shapesGrouping(dataset, config.hardNegativeGroup, ['colour', 'position']);
  const pipeline = new DataPipeline({
    dataset,
    batchSize: config.batchSize,
    imageSize: modelConfig.imageSize,
    seed: config.seed,
    ...(group ? { group } : {}),
    ...(pipelineState ? { resume: pipelineState } : {}),
  });
  const fixed = model.encodeCaptions(fixedCaptions);
  const fixedNoise = tf.tensor2d(
    new SeededRandom(config.seed + FIXED_NOISE_SEED_OFFSET).normalArray(
      fixedCaptions.length * modelConfig.generator.noiseDim,
    ),
    [fixedCaptions.length, modelConfig.generator.noiseDim],
  );
  const reporter = new ProgressReporter(io);
  const tensorboard = await openTensorBoardLog(run, {
    activeBackend: tf.getBackend(),
    packageName: backend.packageName,
  });
  const writeFakes = async (step: number) => {
    const images = model.generate({
      sentenceEmbeddings: fixed.sentences,
      ...(fixed.words ? { words: fixed.words } : {}),
      ...(fixed.phrases ? { phrases: fixed.phrases } : {}),
      noise: fixedNoise,
    });
    try {
      await writeImageGrid(join(run, fakesFileName(step)), images, 4);
    } finally {
      images.dispose();
    }
  };
  let lastState: PipelineState | undefined = pipelineState;
  const replicaExtra = () => (pool ? { replicaNoise: [...pool.noiseStates] } : {});
  let checkpointedStep = trainer.stepCount;
  const writeCheckpoint = async () => {
    if (!lastState || trainer.stepCount === checkpointedStep) return;
    const extra: CheckpointExtra = { pipeline: lastState, clip: runClip.source, ...replicaExtra() };
    await saveCheckpoint(checkpointFolder(run, trainer.stepCount), model, { trainer, extra });
    pruneCheckpoints(run, config.keepCheckpoints);
    checkpointedStep = trainer.stepCount;
  };
  const evaluating = evaluatesDuringTraining(config);
  let best = resuming ? readBestCheckpoint(run) : undefined;
  let evaluatedStep = -1;
  let lastEvaluation: EvaluationRecord | undefined;
  const evaluate = async () => {
    const step = trainer.stepCount;
    const record = await evaluateModel({
      model,
      runClip,
      step,
      checkpoint: checkpointedStep === step ? checkpointFolder(run, step) : null,
      dataset: config.dataset,
      metrics: [TRAINING_METRIC],
      samples: config.evalSamples,
      seed: config.seed,
      by: 'training',
    });
    appendEvaluation(run, record);
    evaluatedStep = step;
    lastEvaluation = record;
    const candidate = bestCandidate(record, TRAINING_METRIC);
    const improved = candidate !== undefined && lastState !== undefined && isBetter(candidate, best);
    if (improved && lastState) {
      const extra: CheckpointExtra = {
        pipeline: lastState,
        clip: runClip.source,
        ...replicaExtra(),
        best: candidate,
      };
      // The best copy is not where a resumed run continues from, so errors keep naming the step checkpoint.
      const lastCheckpoint = trainer.lastCheckpoint;
      await saveCheckpoint(bestCheckpointFolder(run), model, { trainer, extra });
      trainer.lastCheckpoint = lastCheckpoint;
      best = candidate;
    }
    const report = metricReport(record, TRAINING_METRIC);
    if (report) {
      reporter.evaluation({
        step,
        metric: TRAINING_METRIC,
        value: report.value,
        ...(report.breakdown ? { breakdown: report.breakdown } : {}),
        best: improved,
        bestCheckpoint: bestCheckpointFolder(run),
      });
      tensorboard?.write(
        step,
        prefixed(`eval/${TRAINING_METRIC}/`, report.breakdown ?? { overall: report.value }),
      );
    }
  };
  const started = performance.now();
  const stepTimes: number[] = [];
  let stoppedBy: StopReason = 'data';
  let fakesStep = -1;
  try {
    while (true) {
      const reason = (await stopRequested(stop))
        ? 'interrupted'
        : budgetReached(config, trainer.stepCount, performance.now() - started);
      if (reason) {
        stoppedBy = reason;
        break;
      }
      const waitStart = performance.now();
      const batch = await pipeline.nextBatch();
      if (!batch) break;
      const stepStart = performance.now();
      const imageShape = [batch.size, batch.imageSize, batch.imageSize, 3] as const;
      if (!existsSync(join(run, RUN_FILES.reals))) {
        const reals = tf.tensor4d(batch.images, [...imageShape]);
        try {
          await writeImageGrid(join(run, RUN_FILES.reals), reals);
        } finally {
          reals.dispose();
        }
      }
      const text: StepText = {
        ...model.encodeCaptions(batch.captions),
        ...(clipContrast || config.hardMismatch
          ? {
              contrastSentences: encodeContrastSentences(
                contrastSource,
                batch.captions,
                config.clipContrasts,
                trainer.dataRandom,
                sentenceEncoder,
              ),
            }
          : {}),
      };
      const result = pool
        ? await replicatedStep(pool, trainer, batch.images, imageShape, text)
        : singleStep(trainer, batch.images, imageShape, text);
      const stepMs = performance.now() - stepStart;
      stepTimes.push(stepMs);
      lastState = batch.stateAfter;
      const record = {
        step: result.step,
        time: new Date().toISOString(),
        losses: result.losses,
        gradientNorms: result.gradientNorms,
        stepMs,
        dataWaitMs: stepStart - waitStart,
        imagesPerSecond: (batch.size * 1000) / stepMs,
        ...memoryUsage(),
        epoch: batch.epoch,
      };
      appendJsonLine(join(run, RUN_FILES.metrics), record);
      tensorboard?.write(result.step, {
        ...prefixed('loss/', { ...result.losses }),
        ...prefixed('gradientNorm/', { ...result.gradientNorms }),
        'speed/stepMs': record.stepMs,
        'speed/imagesPerSecond': record.imagesPerSecond,
        'memory/numTensors': record.numTensors,
        'memory/numBytes': record.numBytes,
      });
      reporter.update({
        step: result.step,
        totalSteps: config.steps,
        elapsedMs: performance.now() - started,
        budgetMs: config.minutes === null ? null : config.minutes * 60_000,
        sittingSteps: stepTimes.length,
        d: result.losses.d,
        g: result.losses.g,
        stepMs,
      });
      if (result.step % config.sampleEvery === 0) {
        await writeFakes(result.step);
        fakesStep = result.step;
      }
      if (result.step % config.checkpointEvery === 0) await writeCheckpoint();
      if (evaluating && config.evalEvery > 0 && result.step % config.evalEvery === 0) await evaluate();
    }
    await writeCheckpoint();
    if (fakesStep !== trainer.stepCount) await writeFakes(trainer.stepCount);
    if (evaluating && stepTimes.length > 0 && evaluatedStep !== trainer.stepCount) await evaluate();
    tensorboard?.flush();
    const report = await writeTrainingReport(run, `RATLIP run ${run}`);
    const timed = stepTimes.length > 1 ? stepTimes.slice(1) : stepTimes;
    const msPerStep = timed.reduce((sum, value) => sum + value, 0) / Math.max(1, timed.length);
    const bestText = best
      ? `, best: checkpoints/best (${best.metric} ${best.value.toFixed(3)} at step ${best.step})`
      : '';
    reporter.event(
      'finished',
      { run, step: trainer.stepCount, stoppedBy, msPerStep, report, ...(best ? { best } : {}) },
      `stopped (${stoppedBy}) at step ${trainer.stepCount}, ${msPerStep.toFixed(0)} ms/step on ${backend.name}. Look at ${resolve(report)} (samples: fakes-*.png, checkpoints: checkpoints/${bestText}, metrics: metrics.jsonl and eval.jsonl in ${resolve(run)})`,
    );
    return {
      run,
      step: trainer.stepCount,
      sittingSteps: stepTimes.length,
      stoppedBy,
      msPerStep,
      backend: backend.name,
      ...(lastEvaluation ? { evaluation: lastEvaluation } : {}),
      ...(best ? { best } : {}),
    };
  } finally {
    await pool?.close();
    pipeline.close();
    tf.dispose(trainBatchTensors(fixed));
    fixedNoise.dispose();
    trainer.dispose();
    model.dispose();
    clip.dispose();
  }
}
