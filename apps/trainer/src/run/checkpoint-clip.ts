import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunClipChange } from './run-clip';
import { RUN_FILES, runFolderOf } from './run-folder';

/** What a checkpoint's `state.json` records of its CLIP. */
export interface CheckpointClipRecord {
  /** The CLIP weights file an imported official checkpoint was checked against. */
  clipWeights?: unknown;
  /** The CLIP a trained checkpoint was trained with (`RunClipSource`). */
  clip?: unknown;
}

/**
 * The checkpoint's record, its CLIP taken from its run's `config.json` when the checkpoint predates
 * recording it: the run's CLIP then, unless the run changed CLIP later (`clipChanges`, each holding the
 * CLIP used up to its step).
 */
export function checkpointClipRecord(checkpoint: string): CheckpointClipRecord {
  const state = JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8')) as {
    step?: number;
    extra?: CheckpointClipRecord;
  };
  const record = state.extra ?? {};
  const run = runFolderOf(checkpoint);
  if (record.clip !== undefined || run === undefined) return record;
  const config = JSON.parse(readFileSync(join(run, RUN_FILES.config), 'utf8')) as {
    clip?: unknown;
    clipChanges?: RunClipChange[];
  };
  const step = state.step ?? 0;
  const changedLater = (config.clipChanges ?? []).find((change) => change.step >= step);
  const clip = changedLater ? changedLater.from : config.clip;
  return clip === undefined ? record : { ...record, clip };
}
