import { disposeParams, type StateDict } from '@ratlip/rat-blocks';
import { isTorchTensor, type TorchTensor } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { namedTrainableVariables } from '../model/named-tensors';
import { NET_G_CLIP_PREFIX } from '../model/net-g';
import type { AdamOptimizer } from '../train/adam';
import { torchStateDictToTensors } from './state-dict-tensors';

/** BatchNorm buffers are in a state dict but not in `parameters()`, so not in an optimizer. */
const BUFFER_SUFFIXES = ['.running_mean', '.running_var', '.num_batches_tracked'];

/** A network's state-dict keys that are parameters, in `parameters()` (optimizer index) order. */
export function parameterKeys(dict: ReadonlyMap<string, TorchTensor>): string[] {
  return [...dict.keys()].filter((key) => !BUFFER_SUFFIXES.some((suffix) => key.endsWith(suffix)));
}

/** One official network and how to rebuild its parameter tree from a state dict in its layout. */
export interface OfficialNetwork {
  /** The checkpoint's state dict of the network (parameters and buffers), in checkpoint order. */
  dict: ReadonlyMap<string, TorchTensor>;
  /** Name prefix of the network's variables in the optimizer (e.g. `netG.`). */
  variablePrefix: string;
  /** Loads a parameter tree from a state dict (e.g. `loadNetGFromStateDict` with the config). */
  load(dict: StateDict): object;
}

function scalar(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (isTorchTensor(value) && value.data.length === 1) return Number(value.data[0]);
  return undefined;
}

/**
 * Restores the Adam moments of an official PyTorch optimizer (`optimizer.state_dict()`: `state` by
 * parameter index, `param_groups[0].params`) into `optimizer`. Indices follow the networks' parameter
 * order (`netG.parameters()`, or `netD.parameters() + netC.parameters()`); parameters without state
 * (frozen, or never given a gradient) keep zero moments, as in PyTorch. Moments are brought to TF.js
 * layouts by loading them as if they were weights, so every layout rule of the loaders applies.
 * @returns the optimizer step (the largest per-parameter `step`).
 */
export function restoreOfficialAdamState(
  optimizer: AdamOptimizer,
  stateDict: unknown,
  networks: readonly OfficialNetwork[],
  source: string,
): number {
  const state = stateDict instanceof Map ? stateDict.get('state') : undefined;
  const groups = stateDict instanceof Map ? stateDict.get('param_groups') : undefined;
  if (!(state instanceof Map) || !Array.isArray(groups)) {
    throw new Error(`${source}: optimizer state must have 'state' and 'param_groups'`);
  }
  const indices = groups.flatMap((group) => {
    const params = group instanceof Map ? group.get('params') : undefined;
    return Array.isArray(params) ? (params as number[]) : [];
  });
  const keys = networks.flatMap((network) => parameterKeys(network.dict).map((key) => ({ network, key })));
  if (indices.length !== keys.length) {
    throw new Error(
      `${source}: the optimizer holds ${indices.length} parameters, the networks ${keys.length}; not the same model`,
    );
  }
  const moments = { exp_avg: new Map<string, TorchTensor>(), exp_avg_sq: new Map<string, TorchTensor>() };
  let step = 0;
  indices.forEach((index, position) => {
    const entry = state.get(index);
    if (!(entry instanceof Map)) return;
    const { network, key } = keys[position]!;
    for (const kind of ['exp_avg', 'exp_avg_sq'] as const) {
      const tensor = entry.get(kind);
      if (!isTorchTensor(tensor))
        throw new Error(`${source}: state ${index} (${key}) has no tensor '${kind}'`);
      moments[kind].set(`${network.variablePrefix}${key}`, tensor);
    }
    step = Math.max(step, scalar(entry.get('step')) ?? 0);
  });
  const record: Record<string, tf.Tensor> = {};
  try {
    for (const kind of ['exp_avg', 'exp_avg_sq'] as const) {
      for (const network of networks) {
        const dict = new Map<string, TorchTensor>();
        for (const [key, tensor] of network.dict) {
          const moment = moments[kind].get(`${network.variablePrefix}${key}`);
          const zero = { ...tensor, data: new Float32Array(tensor.data.length), dtype: 'F32' as const };
          const isParameter = !BUFFER_SUFFIXES.some((suffix) => key.endsWith(suffix));
          dict.set(key, moment ?? (isParameter ? zero : tensor));
        }
        // The frozen CLIP tower inside netG has no moments and no place in the model.
        const tensors = torchStateDictToTensors(dict, source, [NET_G_CLIP_PREFIX]);
        const tree = network.load(tensors);
        tf.dispose(Object.values(tensors));
        for (const [path, variable] of namedTrainableVariables(tree, network.variablePrefix)) {
          record[`${kind}.${path}`] = tf.clone(variable);
        }
        disposeParams(tree);
      }
    }
    optimizer.loadState(record, step, '', source);
  } finally {
    tf.dispose(Object.values(record));
  }
  return step;
}
