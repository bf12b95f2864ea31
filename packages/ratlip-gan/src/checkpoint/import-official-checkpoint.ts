import { clipVisionWeightsToSafetensors } from '@ratlip/clip';
import type { StateDict } from '@ratlip/rat-blocks';
import type { TorchTensor } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { RatlipConfigOverrides, ResolvedRatlipConfig } from '../config/config-schema';
import { deepMerge, resolveConfig } from '../config/resolve-config';
import { loadNetCFromStateDict } from '../model/net-c';
import { loadNetDFromStateDict } from '../model/net-d';
import { loadNetGFromStateDict, NET_G_CLIP_PREFIX } from '../model/net-g';
import { RatlipGan, type RatlipGanOptions } from '../model/ratlip-gan';
import { RatlipTrainer } from '../train/ratlip-trainer';
import { inferOfficialOverrides } from './infer-official-config';
import { type OfficialCheckpoint, readOfficialCheckpoint } from './official-checkpoint';
import { type OfficialNetwork, restoreOfficialAdamState } from './official-optimizer-state';
import { disposeStateDict, torchStateDictToTensors } from './state-dict-tensors';

/** Options of {@link importOfficialCheckpoint}. */
export interface ImportOfficialCheckpointOptions extends RatlipGanOptions {
  /** The preset the checkpoint was trained with; sizes are then read from the checkpoint. Default
   * `'ratlip-birds-256'` (`'galip-birds-256'` for GALIP checkpoints). */
  preset?: string;
  /** Config changes on top of the preset and of what the checkpoint determines (e.g. `clip.tapBlocks`). */
  overrides?: RatlipConfigOverrides;
  /**
   * How the checkpoint's embedded CLIP tower (`mapping.CLIP_ViT.*`, which the model does not use: the
   * mapper is `vision`) is checked against `vision`: `'shapes'` (default), `'values'` (every value must
   * be equal: the same CLIP), or `'none'`.
   */
  verifyClip?: 'shapes' | 'values' | 'none';
  /** Also build a trainer holding the checkpoint's Adam moments, to continue training. Default false. */
  trainer?: boolean;
  /** Names the checkpoint in error messages. Default `'state_epoch.pth'`. */
  source?: string;
}

/** What {@link importOfficialCheckpoint} returns. */
export interface ImportedOfficialCheckpoint {
  model: RatlipGan;
  config: ResolvedRatlipConfig;
  /** With `trainer: true`. Its step counts are the optimizers' (PyTorch's `step`). */
  trainer?: RatlipTrainer;
  /** The checkpoint's epoch, when recorded. */
  epoch?: number;
}

function compareKeys(
  expected: ReadonlyMap<string, TorchTensor>,
  actual: StateDict,
  network: string,
  source: string,
): void {
  const problems: string[] = [];
  for (const [key, tensor] of expected) {
    if (key.startsWith(NET_G_CLIP_PREFIX)) continue;
    const mine = actual[key];
    if (!mine) problems.push(`'${key}' is not used by the config`);
    else if (!tf.util.arraysEqual(mine.shape, tensor.shape)) {
      problems.push(`'${key}' is [${tensor.shape.join(', ')}], the config makes [${mine.shape.join(', ')}]`);
    }
  }
  for (const key of Object.keys(actual)) {
    if (!expected.has(key)) problems.push(`'${key}' is missing from the checkpoint`);
  }
  if (problems.length > 0) {
    throw new Error(
      `${source}: ${network} does not match the config: ${problems.slice(0, 5).join('; ')}` +
        (problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''),
    );
  }
}

function verifyClipTower(
  checkpoint: OfficialCheckpoint,
  options: ImportOfficialCheckpointOptions,
  source: string,
): void {
  const mode = options.verifyClip ?? 'shapes';
  if (mode === 'none') return;
  const tower = clipVisionWeightsToSafetensors(options.vision, { prefix: NET_G_CLIP_PREFIX }).tensors;
  for (const [key, tensor] of checkpoint.netG) {
    if (!key.startsWith(NET_G_CLIP_PREFIX)) continue;
    const mine = tower[key];
    if (!mine || !tf.util.arraysEqual([...mine.shape], tensor.shape)) {
      throw new Error(
        `${source}: the embedded CLIP tower's '${key}' [${tensor.shape.join(', ')}] does not fit the given CLIP image tower` +
          (mine ? ` ([${mine.shape.join(', ')}])` : ' (no such tensor)'),
      );
    }
    if (mode === 'values') {
      const values = torchStateDictToTensors(new Map([[key, tensor]]), source)[key]!;
      const stored = values.dataSync();
      values.dispose();
      const given = mine.data as ArrayLike<number>;
      for (let i = 0; i < stored.length; i++) {
        if (stored[i] !== given[i]) {
          throw new Error(
            `${source}: the embedded CLIP tower's '${key}' differs from the given CLIP weights (element ${i})`,
          );
        }
      }
    }
  }
}

/**
 * Imports an official RATLIP (or GALIP) `state_epoch_*.pth` written by `torch.save`, without Python: the
 * restricted unpickler reads only state dicts and optimizer states and refuses anything else. The
 * sizes come from the checkpoint's shapes, RATLIP checkpoints get legacy RAT (their LSTMs run over the
 * batch axis, so outputs depend on batch order and size: sample with the official batch size), the
 * `module.` prefix of DDP training is removed, and the embedded CLIP tower is replaced by (and checked
 * against) the user's CLIP image tower `options.vision`.
 *
 * @example
 * ```ts
 * const vision = loadClipVisionWeights(readSafetensors(readFileSync('ViT-B-32.safetensors'))).model;
 * const { model } = importOfficialCheckpoint(readFileSync('state_epoch_1000.pth'), { vision });
 * ```
 */
export function importOfficialCheckpoint(
  bytes: Uint8Array,
  options: ImportOfficialCheckpointOptions,
): ImportedOfficialCheckpoint {
  const source = options.source ?? 'state_epoch.pth';
  const checkpoint = readOfficialCheckpoint(bytes, source);
  const inferred = inferOfficialOverrides(checkpoint, source);
  const preset =
    options.preset ?? (inferred.architecture === 'galip' ? 'galip-birds-256' : 'ratlip-birds-256');
  const vision = options.vision.config;
  const config = resolveConfig(
    preset,
    deepMerge(deepMerge(inferred, { clip: { vision: { ...vision } } }), options.overrides ?? {}),
  );
  verifyClipTower(checkpoint, options, source);
  const dicts: { netG?: StateDict; netD?: StateDict; netC?: StateDict } = {};
  let model: RatlipGan;
  try {
    dicts.netG = torchStateDictToTensors(checkpoint.netG, source, [NET_G_CLIP_PREFIX]);
    if (checkpoint.netD) dicts.netD = torchStateDictToTensors(checkpoint.netD, source);
    if (checkpoint.netC) dicts.netC = torchStateDictToTensors(checkpoint.netC, source);
    model = RatlipGan.fromStateDicts(
      config,
      { netG: dicts.netG, netD: dicts.netD, netC: dicts.netC },
      options,
    );
  } finally {
    for (const dict of Object.values(dicts)) disposeStateDict(dict);
  }
  try {
    const exported = model.exportStateDicts();
    try {
      compareKeys(checkpoint.netG, exported.netG, 'netG', source);
      if (checkpoint.netD && exported.netD) compareKeys(checkpoint.netD, exported.netD, 'netD', source);
      if (checkpoint.netC && exported.netC) compareKeys(checkpoint.netC, exported.netC, 'netC', source);
    } finally {
      for (const dict of Object.values(exported)) disposeStateDict(dict);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  const epoch = checkpoint.epoch;
  if (!options.trainer) return { model, config, ...(epoch !== undefined ? { epoch } : {}) };
  const trainer = new RatlipTrainer(model);
  try {
    if (
      checkpoint.optimizerG === undefined ||
      checkpoint.optimizerD === undefined ||
      !checkpoint.netD ||
      !checkpoint.netC
    ) {
      throw new Error(
        `${source}: the checkpoint has no optimizer state (or no discriminator) to continue training from`,
      );
    }
    const generator: OfficialNetwork = {
      dict: checkpoint.netG,
      variablePrefix: 'netG.',
      load: (dict) => loadNetGFromStateDict(dict, config),
    };
    const discriminator: OfficialNetwork[] = [
      {
        dict: checkpoint.netD,
        variablePrefix: 'netD.',
        load: (dict) => loadNetDFromStateDict(dict, config.clip.tapBlocks.length),
      },
      { dict: checkpoint.netC, variablePrefix: 'netC.', load: (dict) => loadNetCFromStateDict(dict) },
    ];
    restoreOfficialAdamState(trainer.optimizerG, checkpoint.optimizerG, [generator], `${source} optimizer_G`);
    restoreOfficialAdamState(
      trainer.optimizerD,
      checkpoint.optimizerD,
      discriminator,
      `${source} optimizer_D`,
    );
  } catch (error) {
    trainer.dispose();
    model.dispose();
    throw error;
  }
  return { model, config, trainer, ...(epoch !== undefined ? { epoch } : {}) };
}
