import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  exportLinearToStateDict,
  initLinear,
  type LinearParams,
  linearForward,
  loadLinearFromStateDict,
} from './linear';
import { constantVariable } from './pytorch-init';
import { type MutableStateDict, mergeStateDicts, type StateDict } from './state-dict';

/**
 * The scale/shift head of a conditional affine: Linear(in -> C) -> ReLU -> Linear(C -> C).
 * The ReLU is `tf.relu`: heads sit on the generator side, where no second-order gradient is taken.
 */
export interface MlpHeadParams {
  readonly linear1: LinearParams;
  readonly linear2: LinearParams;
}

/**
 * First layer PyTorch-default, last layer W = 0 and b = `outputBias` (1 for a scale head, 0 for a shift
 * head), so the affine starts as the identity.
 */
export function initMlpHead(
  inFeatures: number,
  channels: number,
  outputBias: number,
  rng: SeededRandom,
): MlpHeadParams {
  return {
    linear1: initLinear(inFeatures, channels, rng),
    linear2: {
      weight: constantVariable([channels, channels], 0),
      bias: constantVariable([channels], outputBias),
    },
  };
}

/**
 * @param x `[batch, in]`.
 * @returns `[batch, channels]`.
 */
export function mlpHeadForward(params: MlpHeadParams, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => linearForward(params.linear2, tf.relu(linearForward(params.linear1, x))));
}

/** The two sub-module names of a head in a state dict: `Affine` uses linear1/linear2, `Affine_rnn` 0/2. */
export interface MlpHeadKeyNames {
  readonly first: string;
  readonly second: string;
}

/** Reads `${prefix}${names.first}.weight|bias` and `${prefix}${names.second}.weight|bias`. */
export function loadMlpHeadFromStateDict(
  dict: StateDict,
  prefix: string,
  names: MlpHeadKeyNames,
): MlpHeadParams {
  return {
    linear1: loadLinearFromStateDict(dict, `${prefix}${names.first}.`),
    linear2: loadLinearFromStateDict(dict, `${prefix}${names.second}.`),
  };
}

/** Writes a head under the given sub-module names. */
export function exportMlpHeadToStateDict(
  params: MlpHeadParams,
  prefix: string,
  names: MlpHeadKeyNames,
): MutableStateDict {
  return mergeStateDicts(
    exportLinearToStateDict(params.linear1, `${prefix}${names.first}.`),
    exportLinearToStateDict(params.linear2, `${prefix}${names.second}.`),
  );
}

/** Output channels of a head. */
export function mlpHeadChannels(params: MlpHeadParams): number {
  return params.linear2.weight.shape[1]!;
}

/** Input features of a head. */
export function mlpHeadInFeatures(params: MlpHeadParams): number {
  return params.linear1.weight.shape[0]!;
}
