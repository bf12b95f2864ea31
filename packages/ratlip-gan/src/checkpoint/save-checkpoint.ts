import type { StateDict } from '@ratlip/rat-blocks';
import * as tf from '@tensorflow/tfjs';
import type { RatlipGan } from '../model/ratlip-gan';
import type { RatlipTrainer } from '../train/ratlip-trainer';
import {
  CHECKPOINT_FILES,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointState,
  OPTIMIZER_PREFIXES,
} from './checkpoint-format';
import { stateDictToSafetensors } from './state-dict-tensors';

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** The trainer whose optimizer moments and state are saved (and whose `lastCheckpoint` is set). */
  trainer?: RatlipTrainer;
  /** Step to record without a trainer. Default: the trainer's step, else 0. */
  step?: number;
  /** Caller data stored in `state.json` (JSON-serialisable). */
  extra?: unknown;
}

function randomSuffix(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
}

/**
 * Writes a checkpoint directory (see `CHECKPOINT_FILES`) atomically: everything goes to a temporary
 * directory beside it, then an existing checkpoint of that name is moved aside, the new one renamed
 * into place and the old one removed, so a crash leaves the last good checkpoint (`loadCheckpoint`
 * also finds one left aside). Node only.
 * @param directory the checkpoint directory, e.g. `runs/x/checkpoints/step-001000`.
 * @returns `directory`.
 */
export async function saveCheckpoint(
  directory: string,
  model: RatlipGan,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { saveSafetensorsFile, writeFileAtomic } = await import('@ratlip/runtime/node');
  const target = path.resolve(directory);
  const parent = path.dirname(target);
  const name = path.basename(target);
  const temporary = path.join(parent, `.${name}.partial-${randomSuffix()}`);
  const trainer = options.trainer;
  const step = options.step ?? trainer?.stepCount ?? 0;
  await fs.mkdir(temporary, { recursive: true });
  try {
    const dicts = model.exportStateDicts();
    const files: CheckpointState['files'] = { netG: CHECKPOINT_FILES.netG };
    const metadata = (network: string) => ({ format: CHECKPOINT_FORMAT, network, step: String(step) });
    const write = async (file: string, dict: StateDict, network: string) => {
      try {
        await saveSafetensorsFile(
          path.join(temporary, file),
          stateDictToSafetensors(dict),
          metadata(network),
          {
            fsync: true,
          },
        );
      } finally {
        tf.dispose(Object.values(dict));
      }
    };
    await write(CHECKPOINT_FILES.netG, dicts.netG, 'netG');
    if (dicts.netD) {
      await write(CHECKPOINT_FILES.netD, dicts.netD, 'netD');
      files.netD = CHECKPOINT_FILES.netD;
    }
    if (dicts.netC) {
      await write(CHECKPOINT_FILES.netC, dicts.netC, 'netC');
      files.netC = CHECKPOINT_FILES.netC;
    }
    if (dicts.netGEma) {
      await write(CHECKPOINT_FILES.netGEma, dicts.netGEma, 'netG_ema');
      files.netGEma = CHECKPOINT_FILES.netGEma;
    }
    if (trainer) {
      const moments = {
        ...trainer.optimizerG.stateTensors(OPTIMIZER_PREFIXES.generator),
        ...trainer.optimizerD.stateTensors(OPTIMIZER_PREFIXES.discriminator),
      };
      await write(CHECKPOINT_FILES.optimizer, moments, 'optimizers');
      files.optimizer = CHECKPOINT_FILES.optimizer;
    }
    const state: CheckpointState = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      step,
      files,
      ...(trainer ? { trainer: trainer.state() } : {}),
      parameterCounts: model.parameterCounts(),
      ...(options.extra !== undefined ? { extra: options.extra } : {}),
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(
      path.join(temporary, CHECKPOINT_FILES.config),
      `${JSON.stringify(model.config, null, 2)}\n`,
    );
    await writeFileAtomic(
      path.join(temporary, CHECKPOINT_FILES.state),
      `${JSON.stringify(state, null, 2)}\n`,
    );
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw new Error(
      `saveCheckpoint: could not write ${target}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  const aside = path.join(parent, `${name}.previous-${randomSuffix()}`);
  let movedAside = false;
  try {
    await fs.rename(target, aside);
    movedAside = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.rename(temporary, target);
  if (movedAside) await fs.rm(aside, { recursive: true, force: true });
  if (trainer) trainer.lastCheckpoint = target;
  return target;
}
