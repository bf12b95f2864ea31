import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ClipTokenizer,
  ClipTrainer,
  type ClipTrainStepResult,
  clipParameterEntries,
  clipWeightsToSafetensors,
  generatedImagesToClipInput,
  initializeClipParameters,
} from '@ratlip/clip';
import {
  type DataBatch,
  DataPipeline,
  openDataset,
  type PipelineState,
  ShapesDataset,
} from '@ratlip/datasets';
import { nodeDatasetIO } from '@ratlip/datasets/node';
import { useBackend } from '@ratlip/runtime';
import { saveSafetensorsFile, writeFileAtomic } from '@ratlip/runtime/node';
import * as tf from '@tensorflow/tfjs';
import type { CliIO } from '../cli-io';
import { stopRequested } from '../run/interrupt-signal';
import { memoryUsage } from '../run/memory-usage';
import { shapesGrouping } from '../run/shapes-grouping';
import type { StopSignal } from '../run/train-run';
import { loadClipFile } from './clip-weights-file';
import {
  newestPretrainCheckpoint,
  readPretrainCheckpointState,
  removePartialCheckpoints,
  restorePretrainTrainer,
  writePretrainCheckpoint,
} from './pretrain-checkpoints';
import {
  type ClipPretrainConfig,
  type ClipPretrainSitting,
  PRETRAIN_FILES,
  pretrainPreset,
  pretrainTrainerOptions,
  readPretrainConfig,
  type StepsEstimate,
} from './pretrain-config';
import { LENGTH_ESTIMATE_STEPS } from './pretrain-presets';
import { PretrainProgress } from './pretrain-progress';
import { estimateRunLength } from './run-length';
import {
  evaluateShapesZeroShot,
  type ShapesZeroShotRecord,
  type ShapesZeroShotSet,
  shapesZeroShotSet,
} from './shapes-zero-shot';
import { TrainingVocabulary } from './training-vocabulary';

/** Why a sitting ended. */
export type PretrainStopReason = 'steps' | 'minutes' | 'interrupted' | 'data';

/** The one-line summary a sitting prints (and returns). */
export interface PretrainSummary {
  event: 'finished';
  out: string;
  /** Optimizer steps taken by the run (all sittings). */
  step: number;
  /** Length of the run (null if a time-bounded run stopped before measuring its speed). */
  steps: number | null;
  stoppedBy: PretrainStopReason;
  /** Mean training-step time of this sitting, in milliseconds (its first step excluded when possible). */
  msPerStep: number;
  /** Training wall time of all sittings, in minutes. */
  trainingMinutes: number;
  backend: string;
  /** Final weights and their size in bytes. */
  weights: string;
  weightsBytes: number;
  /** Token-embedding rows kept in the weights (the whole vocabulary without compaction). */
  tokenRows: number;
  /** Zero-shot accuracy per attribute (Shapes only; not measured after Ctrl-C). */
  zeroShot: Record<string, number> | null;
  /** How to continue the run, when it is not finished. */
  resumeWith?: string;
}

/** Drops records of a JSON-lines file logged after `step` (after the checkpoint a resumed run starts from). */
function truncateJsonLines(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      if (line.trim().length === 0) return false;
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  writeFileSync(path, kept.map((line) => `${line}\n`).join(''));
}

/** Updates the length fields of the saved `config.json`, leaving the first sitting's other settings. */
async function saveRunLength(config: ClipPretrainConfig): Promise<void> {
  const path = join(config.out, PRETRAIN_FILES.config);
  const saved = JSON.parse(readFileSync(path, 'utf8')) as ClipPretrainConfig;
  const updated = {
    ...saved,
    steps: config.steps,
    stepsEstimate: config.stepsEstimate,
    trainer: config.trainer,
  };
  await writeFileAtomic(path, `${JSON.stringify(updated, null, 2)}\n`);
}

/**
 * The hard-negative texts of a batch: each Shapes sample's caption with one attribute exchanged between
 * its two objects (`ShapesDataset.captionsWithSwaps`), all that differ from the caption.
 */
function bindingNegativeCaptions(dataset: ShapesDataset, batch: DataBatch): string[] {
  return batch.indices.flatMap((index, i) => {
    const described = dataset.captionsWithSwaps(index).find(({ caption }) => caption === batch.captions[i]);
    return described ? Object.values(described.swapped) : [];
  });
}

/**
 * One training step on a pipeline batch (images in [-1, 1] at the CLIP's size, tokens of its context)
 * and its hard-negative texts (tokenized alike).
 */
function trainOnBatch(
  trainer: ClipTrainer,
  batch: DataBatch,
  imageSize: number,
  negatives: Int32Array | undefined,
): ClipTrainStepResult {
  const images = tf.tidy(() =>
    generatedImagesToClipInput(tf.tensor4d(batch.images, [batch.size, batch.imageSize, batch.imageSize, 3]), {
      imageSize,
      quirk: 'standard',
    }),
  );
  const ids = tf.tensor2d(batch.tokens!, [batch.size, batch.contextLength], 'int32');
  const negativeIds =
    negatives && negatives.length > 0
      ? tf.tensor2d(negatives, [negatives.length / batch.contextLength, batch.contextLength], 'int32')
      : undefined;
  try {
    return trainer.step(images, ids, negativeIds);
  } finally {
    tf.dispose([images, ids, ...(negativeIds ? [negativeIds] : [])]);
  }
}

/**
 * The trainer a run starts with: the `init` weights when it fine-tunes, else a freshly initialised CLIP
 * (seeded). With a training vocabulary the full embedding is taken first and its kept rows kept, so the
 * model starts exactly as a full-vocabulary one would.
 */
function startingTrainer(config: ClipPretrainConfig, vocabulary: TrainingVocabulary | null): ClipTrainer {
  const loaded = config.init ? loadClipFile(config.init.path).model : undefined;
  const full = loaded ? loaded.parameters : initializeClipParameters(config.clip, { seed: config.seed });
  try {
    const options = pretrainTrainerOptions(config);
    if (!vocabulary) return new ClipTrainer(config.clip, full, options);
    const compact = vocabulary.compactParameters(config.clip, full);
    try {
      return new ClipTrainer(vocabulary.compactConfig(config.clip), compact, options);
    } finally {
      compact.text.tokenEmbedding.dispose();
    }
  } finally {
    if (loaded) loaded.dispose();
    else for (const tensor of clipParameterEntries(full).values()) tensor.dispose();
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

/**
 * Trains (or resumes) a CLIP from scratch on a captioned dataset and writes into `config.out`:
 * `config.json`, `metrics.jsonl` (one record per step), `checkpoints/step-NNNNNN/` (weights, AdamW state
 * and data position, atomic, the newest `keepCheckpoints`), `zero-shot.jsonl` every `evalEvery` steps, and
 * at the end `clip.safetensors` and (Shapes) `zero-shot.json`. Stops at the run's length, at the sitting's
 * time budget, when the data ends, or after the current step when `stop` is raised (then with a
 * checkpoint and the weights, without the final evaluation). Prints a one-line JSON summary.
 */
export async function runClipPretraining(
  sitting: ClipPretrainSitting,
  io: CliIO,
  stop: StopSignal = { stopRequested: false },
): Promise<PretrainSummary> {
  const config: ClipPretrainConfig = structuredClone(sitting.config);
  const run = config.out;
  const { imageSize } = config.clip.vision;
  const { contextLength } = config.clip.text;
  const backend = await useBackend(config.backend);
  const tokenizer = await ClipTokenizer.load();
  const dataset = await openDataset(config.dataset, { io: nodeDatasetIO(), shapes: { imageSize } });
  const vocabulary = config.tokenIds
    ? new TrainingVocabulary(config.tokenIds, config.clip.text.vocabSize, tokenizer.endOfTextId)
    : null;
  const tokenize = (texts: string[], what: string) => {
    const tokens = tokenizer.tokenize(texts, { contextLength, truncate: true });
    return vocabulary ? vocabulary.mapTokenized(tokens, what) : tokens;
  };
  const zeroShotSet: ShapesZeroShotSet | null =
    dataset instanceof ShapesDataset
      ? shapesZeroShotSet((texts) => tokenize(texts, 'zero-shot captions'), {
          imageCount: config.evalImages,
          imageSize,
          seed: dataset.seed,
        })
      : null;
  const files = {
    metrics: join(run, PRETRAIN_FILES.metrics),
    zeroShotLog: join(run, PRETRAIN_FILES.zeroShotLog),
    zeroShot: join(run, PRETRAIN_FILES.zeroShot),
    weights: join(run, PRETRAIN_FILES.weights),
  };
  mkdirSync(run, { recursive: true });
  removePartialCheckpoints(run);
  let pipelineState: PipelineState | undefined;
  let trainingMsBefore = 0;
  const newest = sitting.resume ? newestPretrainCheckpoint(run) : undefined;
  if (newest) {
    const state = readPretrainCheckpointState(newest.path);
    pipelineState = state.pipeline;
    trainingMsBefore = state.trainingMs;
    truncateJsonLines(files.metrics, state.step);
    truncateJsonLines(files.zeroShotLog, state.step);
  }
  // Batches whose captions cannot be told apart by colour and size alone: the CLIP must learn shape and position.
  const group = shapesGrouping(dataset, config.hardNegativeGroup ?? 0, ['colour', 'size']);
  const pipeline = new DataPipeline({
    dataset,
    batchSize: config.batchSize,
    ...(group ? { group } : {}),
    imageSize,
    seed: config.seed,
    tokenize: (texts) => tokenize(texts, 'training captions').ids,
    ...(pipelineState ? { resume: pipelineState } : {}),
  });
  let trainer: ClipTrainer;
  try {
    if (newest) {
      if (config.steps !== null && readPretrainConfig(run).steps === null) await saveRunLength(config);
      trainer = restorePretrainTrainer(newest.path, pretrainTrainerOptions(config));
    } else {
      await writeFileAtomic(join(run, PRETRAIN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
      trainer = startingTrainer(config, vocabulary);
    }
  } catch (error) {
    pipeline.close();
    throw error;
  }
  const progress = new PretrainProgress(io);
  const started = performance.now();
  const budgetMs = config.minutes === null ? null : config.minutes * 60_000;
  const trainingMs = () => trainingMsBefore + performance.now() - started;
  let lastState = pipelineState;
  let checkpointedStep = trainer.stepCount;
  const writeCheckpoint = async () => {
    if (!lastState || trainer.stepCount === checkpointedStep) return;
    await writePretrainCheckpoint(
      run,
      trainer,
      { step: trainer.stepCount, pipeline: lastState, trainingMs: trainingMs() },
      config.keepCheckpoints,
    );
    checkpointedStep = trainer.stepCount;
  };
  const stepTimes: number[] = [];
  const iterationTimes: number[] = [];
  let lastEvaluation: ShapesZeroShotRecord | undefined;
  let stoppedBy: PretrainStopReason = 'data';
  try {
    while (true) {
      const target = sitting.stopAtStep ?? config.steps;
      const elapsed = performance.now() - started;
      const reason: PretrainStopReason | undefined = (await stopRequested(stop))
        ? 'interrupted'
        : target !== null && trainer.stepCount >= target
          ? 'steps'
          : budgetMs !== null && elapsed >= budgetMs
            ? 'minutes'
            : undefined;
      if (reason) {
        stoppedBy = reason;
        break;
      }
      const iterationStart = performance.now();
      const batch = await pipeline.nextBatch();
      if (!batch) break;
      const negatives =
        config.bindingNegatives && dataset instanceof ShapesDataset
          ? tokenize(bindingNegativeCaptions(dataset, batch), 'binding negatives').ids
          : undefined;
      const stepStart = performance.now();
      const result = trainOnBatch(trainer, batch, imageSize, negatives);
      const stepMs = performance.now() - stepStart;
      stepTimes.push(stepMs);
      lastState = batch.stateAfter;
      const record = {
        step: result.step,
        time: new Date().toISOString(),
        loss: result.loss,
        learningRate: result.learningRate,
        accuracy: result.accuracy,
        negatives: result.negatives,
        gradientNorm: result.gradientNorm,
        logitScale: result.logitScale,
        stepMs,
        dataWaitMs: stepStart - iterationStart,
        pairsPerSecond: (batch.size * 1000) / stepMs,
        epoch: batch.epoch,
        ...memoryUsage(),
      };
      appendFileSync(files.metrics, `${JSON.stringify(record)}\n`);
      progress.update({
        step: result.step,
        totalSteps: target,
        elapsedMs: performance.now() - started,
        budgetMs,
        sittingSteps: stepTimes.length,
        loss: result.loss,
        accuracy: result.accuracy,
        stepMs,
      });
      iterationTimes.push(performance.now() - iterationStart);
      if (config.steps === null && budgetMs !== null && iterationTimes.length === LENGTH_ESTIMATE_STEPS + 1) {
        // An evaluation now is timed (the run's share of them is budgeted) and logged as an early point.
        const evaluationStart = performance.now();
        if (zeroShotSet) {
          lastEvaluation = evaluateShapesZeroShot(trainer.model, zeroShotSet, result.step);
          if (config.evalEvery > 0) appendFileSync(files.zeroShotLog, `${JSON.stringify(lastEvaluation)}\n`);
        }
        const estimate: StepsEstimate = {
          atStep: trainer.stepCount,
          measuredSteps: LENGTH_ESTIMATE_STEPS,
          msPerStep: mean(iterationTimes.slice(1)),
          evaluationMs: performance.now() - evaluationStart,
          minutes: config.minutes!,
        };
        const steps = estimateRunLength({
          step: trainer.stepCount,
          remainingMs: budgetMs - (performance.now() - started),
          msPerStep: estimate.msPerStep,
          evaluationMs: estimate.evaluationMs,
          evalEvery: config.evalEvery,
        });
        config.steps = steps;
        config.stepsEstimate = estimate;
        config.trainer = (await pretrainPreset(config.preset).training()).trainerOptions(steps);
        trainer.setSchedule(config.trainer.schedule);
        await saveRunLength(config);
        progress.event(
          'length',
          { steps, msPerStep: estimate.msPerStep, evaluationMs: estimate.evaluationMs },
          `${config.minutes} minutes at ${estimate.msPerStep.toFixed(0)} ms/step: the run is ${steps} steps long`,
        );
      }
      if (zeroShotSet && config.evalEvery > 0 && result.step % config.evalEvery === 0) {
        lastEvaluation = evaluateShapesZeroShot(trainer.model, zeroShotSet, result.step);
        appendFileSync(files.zeroShotLog, `${JSON.stringify(lastEvaluation)}\n`);
      }
      if (result.step % config.checkpointEvery === 0) await writeCheckpoint();
    }
    await writeCheckpoint();
    const weights = vocabulary
      ? vocabulary.compactWeightsFile(trainer.model)
      : clipWeightsToSafetensors(trainer.model);
    await saveSafetensorsFile(files.weights, weights.tensors, {
      ...weights.metadata,
      trained_by: 'ratlip clip pretrain',
      preset: config.preset,
      dataset: config.dataset,
      seed: String(config.seed),
      step: String(trainer.stepCount),
      ...(config.init ? { init_sha256: config.init.sha256 } : {}),
    });
    let zeroShot: ShapesZeroShotRecord | null = null;
    if (zeroShotSet && stoppedBy !== 'interrupted') {
      zeroShot =
        lastEvaluation?.step === trainer.stepCount
          ? lastEvaluation
          : evaluateShapesZeroShot(trainer.model, zeroShotSet, trainer.stepCount);
      await writeFileAtomic(files.zeroShot, `${JSON.stringify(zeroShot, null, 2)}\n`);
    }
    const timed = stepTimes.length > 1 ? stepTimes.slice(1) : stepTimes;
    const finished = config.steps !== null && trainer.stepCount >= config.steps;
    const summary: PretrainSummary = {
      event: 'finished',
      out: run,
      step: trainer.stepCount,
      steps: config.steps,
      stoppedBy,
      msPerStep: mean(timed),
      trainingMinutes: trainingMs() / 60_000,
      backend: backend.name,
      weights: files.weights,
      weightsBytes: statSync(files.weights).size,
      tokenRows: vocabulary ? vocabulary.size : config.clip.text.vocabSize,
      zeroShot: zeroShot
        ? Object.fromEntries(
            Object.entries(zeroShot.attributes).map(([name, entry]) => [name, entry.accuracy]),
          )
        : null,
      ...(finished ? {} : { resumeWith: `ratlip clip pretrain --resume ${run}` }),
    };
    if (io.stderr.isTTY) {
      io.stderr.write(
        `\nstopped (${stoppedBy}) at step ${summary.step}: weights ${resolve(files.weights)} ` +
          `(${(summary.weightsBytes / 1e6).toFixed(1)} MB)${zeroShot ? `, zero-shot in ${resolve(files.zeroShot)}` : ''}\n`,
      );
    }
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary;
  } finally {
    pipeline.close();
    trainer.dispose();
  }
}
