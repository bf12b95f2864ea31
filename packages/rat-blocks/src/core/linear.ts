import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger, pytorchDefaultBound, uniformVariable } from './pytorch-init';
import {
  type MutableStateDict,
  type StateDict,
  stateDictHas,
  stateDictTensor,
  variableFrom,
} from './state-dict';

/**
 * A fully connected layer, `y = x W + b`. PyTorch `nn.Linear` stores `weight` as `[out, in]`; here it is
 * `[in, out]` so the forward is a plain matMul.
 */
export interface LinearParams {
  /** `[in, out]`. */
  readonly weight: tf.Tensor;
  /** `[out]`; absent for bias-free layers. */
  readonly bias?: tf.Tensor;
}

/** Options of {@link initLinear}. */
export interface LinearInitOptions {
  /** Create a bias. Default true. */
  bias?: boolean;
}

/** PyTorch default initialisation (kaiming-uniform a=sqrt(5), uniform bias), drawn from `rng`. */
export function initLinear(
  inFeatures: number,
  outFeatures: number,
  rng: SeededRandom,
  options: LinearInitOptions = {},
): LinearParams {
  assertPositiveInteger(inFeatures, 'initLinear inFeatures');
  assertPositiveInteger(outFeatures, 'initLinear outFeatures');
  const bound = pytorchDefaultBound(inFeatures);
  const weight = uniformVariable(rng, [inFeatures, outFeatures], bound);
  if (options.bias === false) return { weight };
  return { weight, bias: uniformVariable(rng, [outFeatures], bound) };
}

/**
 * @param x `[batch, in]`.
 * @returns `[batch, out]`.
 */
export function linearForward(params: LinearParams, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const y: tf.Tensor2D = tf.matMul(x as tf.Tensor2D, params.weight as tf.Tensor2D);
    return params.bias ? (tf.add(y, params.bias) as tf.Tensor2D) : y;
  });
}

/** Reads `${prefix}weight` (`[out, in]`) and optional `${prefix}bias` (`[out]`). */
export function loadLinearFromStateDict(dict: StateDict, prefix: string): LinearParams {
  const weight = stateDictTensor(dict, `${prefix}weight`, [-1, -1]);
  const biasKey = `${prefix}bias`;
  if (!stateDictHas(dict, biasKey)) return { weight: variableFrom(weight, [1, 0]) };
  const bias = stateDictTensor(dict, biasKey, [weight.shape[0]!]);
  return { weight: variableFrom(weight, [1, 0]), bias: variableFrom(bias) };
}

/** Writes `${prefix}weight` `[out, in]` (and `${prefix}bias`) as new tensors. */
export function exportLinearToStateDict(params: LinearParams, prefix: string): MutableStateDict {
  const out: MutableStateDict = { [`${prefix}weight`]: tf.transpose(params.weight) };
  if (params.bias) out[`${prefix}bias`] = tf.clone(params.bias);
  return out;
}
