import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  exportMlpHeadToStateDict,
  initMlpHead,
  loadMlpHeadFromStateDict,
  type MlpHeadKeyNames,
  type MlpHeadParams,
  mlpHeadChannels,
  mlpHeadForward,
  mlpHeadInFeatures,
} from '../core/mlp-head';
import { type MutableStateDict, mergeStateDicts, type StateDict } from '../core/state-dict';
import { applyModulation, type Modulation } from './modulation';

/**
 * DF-GAN's conditional affine transformation (RATLIP `Affine`): two heads map the condition to a
 * per-channel scale (gamma) and shift (beta), each Linear(cond -> C) -> ReLU -> Linear(C -> C).
 * State-dict keys: `fc_gamma.linear1|linear2.weight|bias`, `fc_beta.…`.
 */
export interface ConditionalAffineParams {
  readonly kind: 'conditional';
  readonly gamma: MlpHeadParams;
  readonly beta: MlpHeadParams;
}

/** Official sub-module names of the `Affine` heads. */
export const CONDITIONAL_AFFINE_HEAD_KEYS: MlpHeadKeyNames = { first: 'linear1', second: 'linear2' };

/** Identity initialisation: last layers W = 0, gamma bias 1, beta bias 0; first layers PyTorch-default. */
export function initConditionalAffine(
  condDim: number,
  channels: number,
  rng: SeededRandom,
): ConditionalAffineParams {
  return {
    kind: 'conditional',
    gamma: initMlpHead(condDim, channels, 1, rng),
    beta: initMlpHead(condDim, channels, 0, rng),
  };
}

/**
 * @param cond `[batch, condDim]`.
 * @returns gamma and beta, `[batch, channels]` each.
 */
export function conditionalAffineModulation(params: ConditionalAffineParams, cond: tf.Tensor): Modulation {
  return tf.tidy(() => ({
    gamma: mlpHeadForward(params.gamma, cond),
    beta: mlpHeadForward(params.beta, cond),
  }));
}

/**
 * @param x `[batch, height, width, channels]`.
 * @param cond `[batch, condDim]`.
 * @returns `gamma * x + beta`, same shape as `x`.
 */
export function conditionalAffineForward(
  params: ConditionalAffineParams,
  x: tf.Tensor,
  cond: tf.Tensor,
): tf.Tensor4D {
  return tf.tidy(() => applyModulation(x, conditionalAffineModulation(params, cond)));
}

/** Reads `${prefix}fc_gamma.*` and `${prefix}fc_beta.*`. */
export function loadConditionalAffineFromStateDict(dict: StateDict, prefix: string): ConditionalAffineParams {
  return {
    kind: 'conditional',
    gamma: loadMlpHeadFromStateDict(dict, `${prefix}fc_gamma.`, CONDITIONAL_AFFINE_HEAD_KEYS),
    beta: loadMlpHeadFromStateDict(dict, `${prefix}fc_beta.`, CONDITIONAL_AFFINE_HEAD_KEYS),
  };
}

/** Writes the official `Affine` keys. */
export function exportConditionalAffineToStateDict(
  params: ConditionalAffineParams,
  prefix: string,
): MutableStateDict {
  return mergeStateDicts(
    exportMlpHeadToStateDict(params.gamma, `${prefix}fc_gamma.`, CONDITIONAL_AFFINE_HEAD_KEYS),
    exportMlpHeadToStateDict(params.beta, `${prefix}fc_beta.`, CONDITIONAL_AFFINE_HEAD_KEYS),
  );
}

/** Modulated channels and condition size of an affine. */
export function conditionalAffineSizes(params: ConditionalAffineParams): {
  channels: number;
  condDim: number;
} {
  return { channels: mlpHeadChannels(params.gamma), condDim: mlpHeadInFeatures(params.gamma) };
}
