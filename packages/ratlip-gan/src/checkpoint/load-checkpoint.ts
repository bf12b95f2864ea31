import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import { parseRatlipConfig } from '../config/resolve-config';
import { RatlipGan, type RatlipGanOptions, type RatlipStateDicts } from '../model/ratlip-gan';
import { RatlipTrainer, type RatlipTrainerOptions } from '../train/ratlip-trainer';
import {
  CHECKPOINT_FILES,
  type CheckpointState,
  checkCheckpointState,
  OPTIMIZER_PREFIXES,
} from './checkpoint-format';
import { disposeStateDict, safetensorsToStateDict } from './state-dict-tensors';

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions extends RatlipGanOptions {
  /**
   * Also rebuild the trainer (optimizer moments, random generators, step) to resume training.
   * Default true when the checkpoint has optimizer state.
   */
  trainer?: boolean;
  /** Options of the rebuilt trainer (its random states come from the checkpoint). */
  trainerOptions?: RatlipTrainerOptions;
  /**
   * Replaces the checkpoint's generator-EMA setting (`training.ema`), e.g. to start averaging in a
   * resumed run. Enabling it on a checkpoint without a stored average starts the average from the
   * generator's weights; disabling it drops the stored average. Default: the checkpoint's setting.
   */
  ema?: ResolvedRatlipConfig['training']['ema'];
  /**
   * Replaces the checkpoint's Adam learning rates (`training.learningRateG`, `training.learningRateD`) for
   * the rebuilt trainer, e.g. to anneal a resumed run; the optimizer moments carry over. The returned
   * `config` (and so the next checkpoint) records them. Default: the checkpoint's.
   */
  learningRates?: LearningRates;
}

/** Adam learning rates of a run: the generator's, and the discriminator's (with its matching head). */
export interface LearningRates {
  /** Learning rate of G's Adam (`training.learningRateG`). */
  generator?: number;
  /** Learning rate of D's and C's Adam (`training.learningRateD`). */
  discriminator?: number;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  model: RatlipGan;
  /** Present when the trainer was rebuilt; its `lastCheckpoint` is this directory. */
  trainer?: RatlipTrainer;
  config: ResolvedRatlipConfig;
  state: CheckpointState;
  /** The directory actually read (a checkpoint left aside by an interrupted save, when the target was missing). */
  directory: string;
}

async function findDirectory(directory: string): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const target = path.resolve(directory);
  try {
    await fs.access(path.join(target, CHECKPOINT_FILES.state));
    return target;
  } catch {
    // A save interrupted between its two renames leaves the previous checkpoint beside the target.
    const parent = path.dirname(target);
    const prefix = `${path.basename(target)}.previous-`;
    let entries: string[] = [];
    try {
      entries = await fs.readdir(parent);
    } catch {
      entries = [];
    }
    const aside = entries.filter((entry) => entry.startsWith(prefix)).sort();
    if (aside.length > 0) return path.join(parent, aside[aside.length - 1]!);
    throw new Error(`loadCheckpoint: ${target} is not a checkpoint (no ${CHECKPOINT_FILES.state})`);
  }
}

/**
 * Reads a checkpoint written by `saveCheckpoint`: the model (weights by official names, BatchNorm
 * statistics included) and, to resume, the trainer with its Adam moments and steps and the states of
 * its random generators, so training continues bit-for-bit. Node only.
 * @param options the CLIP image tower (and sentence encoder) the model uses; see `RatlipGanOptions`.
 */
export async function loadCheckpoint(
  directory: string,
  options: LoadCheckpointOptions,
): Promise<LoadedCheckpoint> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { withSafetensorsFile } = await import('@ratlip/runtime/node');
  const root = await findDirectory(directory);
  const readJson = async (file: string) => {
    const where = path.join(root, file);
    try {
      return JSON.parse(await fs.readFile(where, 'utf8')) as unknown;
    } catch (error) {
      throw new Error(
        `loadCheckpoint: cannot read ${where}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const state = checkCheckpointState(
    await readJson(CHECKPOINT_FILES.state),
    path.join(root, CHECKPOINT_FILES.state),
  );
  const stored = parseRatlipConfig(
    await readJson(CHECKPOINT_FILES.config),
    path.join(root, CHECKPOINT_FILES.config),
  );
  const { generator, discriminator } = options.learningRates ?? {};
  const config: ResolvedRatlipConfig = {
    ...stored,
    training: {
      ...stored.training,
      ...(options.ema ? { ema: { ...options.ema } } : {}),
      ...(generator !== undefined ? { learningRateG: generator } : {}),
      ...(discriminator !== undefined ? { learningRateD: discriminator } : {}),
    },
  };
  const read = (file: string | undefined) =>
    file === undefined
      ? undefined
      : withSafetensorsFile(path.join(root, file), (handle) => safetensorsToStateDict(handle));
  const dicts: Partial<RatlipStateDicts> = {};
  let model: RatlipGan;
  try {
    dicts.netG = read(state.files.netG);
    dicts.netD = read(state.files.netD);
    dicts.netC = read(state.files.netC);
    dicts.netGEma = read(state.files.netGEma);
    model = RatlipGan.fromStateDicts(config, dicts as RatlipStateDicts, options);
  } finally {
    for (const dict of Object.values(dicts)) disposeStateDict(dict);
  }
  const wantTrainer = options.trainer ?? state.files.optimizer !== undefined;
  if (!wantTrainer) return { model, config, state, directory: root };
  if (!state.files.optimizer || !state.trainer) {
    model.dispose();
    throw new Error(`loadCheckpoint: ${root} has no optimizer state to resume training from`);
  }
  const trainer = new RatlipTrainer(model, options.trainerOptions);
  try {
    const optimizerPath = path.join(root, state.files.optimizer);
    const moments = withSafetensorsFile(optimizerPath, (handle) => safetensorsToStateDict(handle));
    try {
      const { optimizerSteps } = state.trainer;
      trainer.optimizerG.loadState(
        moments,
        optimizerSteps.generator,
        OPTIMIZER_PREFIXES.generator,
        optimizerPath,
      );
      trainer.optimizerD.loadState(
        moments,
        optimizerSteps.discriminator,
        OPTIMIZER_PREFIXES.discriminator,
        optimizerPath,
      );
    } finally {
      tf.dispose(Object.values(moments));
    }
    trainer.restoreState(state.trainer);
  } catch (error) {
    trainer.dispose();
    model.dispose();
    throw error;
  }
  trainer.lastCheckpoint = root;
  return { model, trainer, config, state, directory: root };
}
