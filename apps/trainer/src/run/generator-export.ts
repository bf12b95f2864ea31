import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CHECKPOINT_FILES } from '@ratlip/ratlip-gan';
import { CliFailure } from '../cli-errors';
import { checkpointClipRecord } from './checkpoint-clip';
import { resolveCheckpoint } from './run-folder';

/** What {@link exportGenerator} wrote. */
export interface GeneratorExportResult {
  out: string;
  files: string[];
  step: number;
}

interface CheckpointState {
  step: number;
  files: Record<string, string | undefined>;
  trainer?: unknown;
  extra?: unknown;
}

/**
 * Writes the generator of a run (its newest checkpoint) or of a checkpoint folder as a checkpoint
 * folder of its own: `config.json`, the generator weights (and their EMA copy when kept) and a
 * `state.json` listing only those. No discriminator, no optimizer: what `ratlip sample` and
 * `ratlip export --web` need, a fraction of the size. The folder is assembled beside `out` and renamed
 * into place, so an existing export is replaced whole or not at all.
 */
export function exportGenerator(runOrCheckpoint: string, out: string): GeneratorExportResult {
  const source = resolveCheckpoint(runOrCheckpoint);
  const statePath = join(source, CHECKPOINT_FILES.state);
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as CheckpointState;
  const weights = [state.files['netG'], state.files['netGEma']].filter(
    (file): file is string => file !== undefined,
  );
  if (weights.length === 0) throw new CliFailure(`${statePath}: lists no generator weights (files.netG)`);
  const target = resolve(out);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const file of [CHECKPOINT_FILES.config, ...weights])
      copyFileSync(join(source, file), join(staging, file));
    const files = Object.fromEntries(
      (['netG', 'netGEma'] as const).flatMap((key) => (state.files[key] ? [[key, state.files[key]]] : [])),
    );
    const { trainer: _trainer, ...kept } = state;
    const { clip } = checkpointClipRecord(source);
    // Relative to the working folder, so an export made in a repository names its source portably.
    const extra = { generatorOf: relative(process.cwd(), resolve(source)), ...(clip ? { clip } : {}) };
    writeFileSync(
      join(staging, CHECKPOINT_FILES.state),
      `${JSON.stringify({ ...kept, files, extra }, null, 2)}\n`,
    );
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    out: target,
    files: [CHECKPOINT_FILES.config, ...weights, CHECKPOINT_FILES.state],
    step: state.step,
  };
}
