import type { TrainerState } from '../train/ratlip-trainer';

/**
 * A checkpoint is one directory:
 *
 * | file | content |
 * | --- | --- |
 * | `netG.safetensors` | generator, official `NetG` state_dict names, PyTorch layouts (no `mapping.CLIP_ViT.*`) |
 * | `netD.safetensors`, `netC.safetensors` | discriminator, official names |
 * | `netG_ema.safetensors` | EMA generator (only with `training.ema.enabled`) |
 * | `optimizer.safetensors` | Adam moments `optimizer_G.exp_avg.<path>`, `..._sq.<path>`, `optimizer_D.*` (TF.js layouts) |
 * | `config.json` | the resolved config |
 * | `state.json` | {@link CheckpointState}: step, Adam steps, random generator states, caller data |
 */
export const CHECKPOINT_FILES = {
  netG: 'netG.safetensors',
  netD: 'netD.safetensors',
  netC: 'netC.safetensors',
  netGEma: 'netG_ema.safetensors',
  optimizer: 'optimizer.safetensors',
  config: 'config.json',
  state: 'state.json',
} as const;

/** `state.json`'s `format`. */
export const CHECKPOINT_FORMAT = 'ratlip-gan-checkpoint';

/** `state.json`'s `version`. */
export const CHECKPOINT_VERSION = 1;

/** Prefixes of the two optimizers' tensors in `optimizer.safetensors`. */
export const OPTIMIZER_PREFIXES = { generator: 'optimizer_G.', discriminator: 'optimizer_D.' } as const;

/** The contents of `state.json`. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** Training steps taken when the checkpoint was written. */
  step: number;
  /** Which weight files are present. */
  files: { netG: string; netD?: string; netC?: string; netGEma?: string; optimizer?: string };
  /** Trainer state (random generators, Adam steps), when written with a trainer. */
  trainer?: TrainerState;
  /** Trainable parameters of G and D + C. */
  parameterCounts: { generator: number; discriminator: number };
  /** The caller's JSON data (e.g. epoch, data pipeline state, metrics). */
  extra?: unknown;
  /** ISO time of writing. */
  createdAt: string;
}

/** Checks a parsed `state.json`; throws naming the file and the field. */
export function checkCheckpointState(value: unknown, source: string): CheckpointState {
  const state = value as Partial<CheckpointState> | null;
  if (typeof state !== 'object' || state === null || state.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: not a RATLIP checkpoint state ('format' must be '${CHECKPOINT_FORMAT}')`);
  }
  if (state.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${source}: checkpoint version ${String(state.version)} is not supported (expected ${CHECKPOINT_VERSION})`,
    );
  }
  if (!Number.isInteger(state.step) || (state.step as number) < 0) {
    throw new Error(`${source}: 'step' must be a non-negative integer`);
  }
  if (typeof state.files?.netG !== 'string') throw new Error(`${source}: 'files.netG' is missing`);
  return state as CheckpointState;
}
