import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseRatlipConfig, type ResolvedRatlipConfig } from '@ratlip/ratlip-gan';
import { CliFailure } from '../cli-errors';

/** Files and folders of a run folder. */
export const RUN_FILES = {
  config: 'config.json',
  reals: 'reals.png',
  metrics: 'metrics.jsonl',
  evaluation: 'eval.jsonl',
  report: 'report.html',
  checkpoints: 'checkpoints',
  /** TensorBoard event files (only when training on the tfjs-node backend). */
  tensorboard: 'tensorboard',
} as const;

/** Name of the best checkpoint's folder inside `checkpoints/` (never pruned). */
export const BEST_CHECKPOINT = 'best';

const CHECKPOINT_PATTERN = /^step-(\d+)$/;
const FAKES_PATTERN = /^fakes-(\d+)\.png$/;

/** Name of the grid of fixed-noise samples at `step`: `fakes-000120.png`. */
export function fakesFileName(step: number): string {
  return `fakes-${String(step).padStart(6, '0')}.png`;
}

/** Folder of the checkpoint at `step`: `<run>/checkpoints/step-000120`. */
export function checkpointFolder(run: string, step: number): string {
  return join(run, RUN_FILES.checkpoints, `step-${String(step).padStart(6, '0')}`);
}

/** Folder of the best evaluated checkpoint: `<run>/checkpoints/best`. */
export function bestCheckpointFolder(run: string): string {
  return join(run, RUN_FILES.checkpoints, BEST_CHECKPOINT);
}

/** The checkpoints of a run, oldest first, as `{ step, path }`. */
export function listCheckpoints(run: string): Array<{ step: number; path: string }> {
  const folder = join(run, RUN_FILES.checkpoints);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => ({ name, match: CHECKPOINT_PATTERN.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ step: Number(entry.match![1]), path: join(folder, entry.name) }))
    .sort((a, b) => a.step - b.step);
}

/** The `fakes-<step>.png` grids of a run, oldest first. */
export function listFakes(run: string): Array<{ step: number; file: string }> {
  return readdirSync(run)
    .map((name) => ({ name, match: FAKES_PATTERN.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ step: Number(entry.match![1]), file: entry.name }))
    .sort((a, b) => a.step - b.step);
}

/** Removes all but the newest `keep` `step-*` checkpoints (`checkpoints/best` is not one of them). */
export function pruneCheckpoints(run: string, keep: number): void {
  const all = listCheckpoints(run);
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    rmSync(old.path, { recursive: true, force: true });
}

/**
 * The checkpoint folder meant by a run folder (its newest checkpoint) or a checkpoint folder itself
 * (`<run>/checkpoints/best` for the best one). A path that is neither is a {@link CliFailure}.
 */
export function resolveCheckpoint(runOrCheckpoint: string): string {
  if (existsSync(join(runOrCheckpoint, 'state.json'))) return runOrCheckpoint;
  const newest = listCheckpoints(runOrCheckpoint).at(-1);
  if (!newest) {
    throw new CliFailure(
      `${runOrCheckpoint}: neither a checkpoint folder (no state.json) nor a run folder with checkpoints/step-*`,
    );
  }
  return newest.path;
}

/** The model config stored in a checkpoint folder. */
export function readCheckpointModelConfig(checkpoint: string): ResolvedRatlipConfig {
  const path = join(checkpoint, 'config.json');
  if (!existsSync(path)) throw new CliFailure(`${checkpoint}: no config.json (is this a checkpoint folder?)`);
  try {
    return parseRatlipConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch (error) {
    throw new CliFailure(`${path}: not a RATLIP config: ${(error as Error).message}`);
  }
}

/**
 * The run folder a checkpoint belongs to (`<run>/checkpoints/<name>`), when it has a `config.json`;
 * for a run folder, itself.
 */
export function runFolderOf(runOrCheckpoint: string): string | undefined {
  for (const candidate of [runOrCheckpoint, dirname(dirname(resolve(runOrCheckpoint)))]) {
    if (existsSync(join(candidate, RUN_FILES.config)) && existsSync(join(candidate, RUN_FILES.checkpoints)))
      return candidate;
  }
  return undefined;
}
