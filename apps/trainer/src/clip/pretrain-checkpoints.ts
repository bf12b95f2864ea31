import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClipTrainer, type ClipTrainerOptions } from '@ratlip/clip';
import type { PipelineState } from '@ratlip/datasets';
import { saveSafetensorsFile, withSafetensorsFile, writeFileAtomic } from '@ratlip/runtime/node';
import { CliFailure } from '../cli-errors';
import { checkpointFolder, listCheckpoints, pruneCheckpoints } from '../run/run-folder';
import { PRETRAIN_FILES } from './pretrain-config';

/** Files of one checkpoint folder `checkpoints/step-NNNNNN/`. */
export const CHECKPOINT_FILES = {
  weights: 'weights.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
} as const;

const STATE_FORMAT = 'ratlip-clip-pretrain-checkpoint-1';

/** Prefix of a checkpoint folder still being written (never read; removed at the next sitting). */
const PARTIAL_PREFIX = '.partial-';

/** What a checkpoint records besides the weights and the optimizer. */
export interface PretrainCheckpointState {
  format: typeof STATE_FORMAT;
  /** Optimizer steps taken. */
  step: number;
  /** The data pipeline's position: order, epoch and its generator state (the run's only randomness). */
  pipeline: PipelineState;
  /** Training wall time of all sittings up to this step, in milliseconds. */
  trainingMs: number;
}

/**
 * Writes the trainer's full-precision weights (every token row), its AdamW state and `state` as
 * `checkpoints/step-NNNNNN/`, atomically: into a hidden partial folder first, then renamed, so a kill at
 * any moment leaves either the whole checkpoint or none. Keeps the newest `keep` checkpoints.
 * @returns the checkpoint folder.
 */
export async function writePretrainCheckpoint(
  run: string,
  trainer: ClipTrainer,
  state: Omit<PretrainCheckpointState, 'format'>,
  keep: number,
): Promise<string> {
  const folder = checkpointFolder(run, state.step);
  const partial = join(run, PRETRAIN_FILES.checkpoints, `${PARTIAL_PREFIX}step-${state.step}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const { weights, optimizer } = trainer.checkpoint();
  await saveSafetensorsFile(join(partial, CHECKPOINT_FILES.weights), weights.tensors, weights.metadata);
  await saveSafetensorsFile(join(partial, CHECKPOINT_FILES.optimizer), optimizer.tensors, optimizer.metadata);
  const record: PretrainCheckpointState = { format: STATE_FORMAT, ...state };
  await writeFileAtomic(join(partial, CHECKPOINT_FILES.state), `${JSON.stringify(record)}\n`);
  rmSync(folder, { recursive: true, force: true });
  renameSync(partial, folder);
  pruneCheckpoints(run, keep);
  return folder;
}

/** Removes partial checkpoint folders left by a killed sitting. */
export function removePartialCheckpoints(run: string): void {
  const folder = join(run, PRETRAIN_FILES.checkpoints);
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    if (name.startsWith(PARTIAL_PREFIX)) rmSync(join(folder, name), { recursive: true, force: true });
  }
}

/** The newest checkpoint of a run; a {@link CliFailure} when it has none. */
export function newestPretrainCheckpoint(run: string): { step: number; path: string } {
  const newest = listCheckpoints(run).at(-1);
  if (!newest) throw new CliFailure(`--resume ${run}: the run has no checkpoints to continue from`);
  return newest;
}

/** The state of a checkpoint folder, checked. */
export function readPretrainCheckpointState(folder: string): PretrainCheckpointState {
  const path = join(folder, CHECKPOINT_FILES.state);
  let state: Partial<PretrainCheckpointState>;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as Partial<PretrainCheckpointState>;
  } catch (error) {
    throw new CliFailure(`${path}: cannot read the checkpoint state (${(error as Error).message})`);
  }
  if (state.format !== STATE_FORMAT || !Number.isInteger(state.step) || !state.pipeline) {
    throw new CliFailure(`${path}: not a 'ratlip clip pretrain' checkpoint state (format ${STATE_FORMAT})`);
  }
  return state as PretrainCheckpointState;
}

/**
 * A trainer restored from a checkpoint folder: weights, AdamW moments and step count.
 * @param options the run's trainer options (its `config.json`), so the schedule is the same.
 */
export function restorePretrainTrainer(folder: string, options: ClipTrainerOptions): ClipTrainer {
  return withSafetensorsFile(join(folder, CHECKPOINT_FILES.weights), (weights) =>
    withSafetensorsFile(join(folder, CHECKPOINT_FILES.optimizer), (optimizer) =>
      ClipTrainer.fromCheckpoint(weights, optimizer, options),
    ),
  );
}
