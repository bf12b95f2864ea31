import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger, constantVariable } from './pytorch-init';
import {
  type MutableStateDict,
  type StateDict,
  stateDictHas,
  stateDictTensor,
  variableFrom,
} from './state-dict';

/** PyTorch BatchNorm2d hyperparameters (not TF.js's: its defaults are momentum 0.99, eps 1e-3). */
export interface BatchNormConfig {
  /** Added to the variance. Default 1e-5. */
  readonly eps: number;
  /** PyTorch convention: running = (1 - momentum) * running + momentum * batch. Default 0.1. */
  readonly momentum: number;
}

/**
 * BatchNorm2d over the channel axis of `[batch, height, width, channels]` activations. `runningMean`,
 * `runningVar` and `numBatchesTracked` are non-trainable variables updated by training-mode forwards.
 */
export interface BatchNormParams {
  readonly config: BatchNormConfig;
  /** `[channels]`, init 1. */
  readonly weight: tf.Tensor;
  /** `[channels]`, init 0. */
  readonly bias: tf.Tensor;
  /** `[channels]`, init 0, non-trainable. */
  readonly runningMean: tf.Variable;
  /** `[channels]`, init 1, non-trainable. */
  readonly runningVar: tf.Variable;
  /** int32 scalar, init 0, non-trainable: PyTorch's `num_batches_tracked`. */
  readonly numBatchesTracked: tf.Variable;
}

/** Forward options of {@link batchNormForward}. */
export interface BatchNormForwardOptions {
  /** Normalise with the batch statistics (and update the running ones) instead of the running ones. Default false. */
  training?: boolean;
  /** In training mode, also update the running statistics and the batch counter. Default true. */
  updateRunningStats?: boolean;
}

const DEFAULT_CONFIG: BatchNormConfig = { eps: 1e-5, momentum: 0.1 };

/** Identity initialisation: weight 1, bias 0, running mean 0, running variance 1. */
export function initBatchNorm(channels: number, config: Partial<BatchNormConfig> = {}): BatchNormParams {
  assertPositiveInteger(channels, 'initBatchNorm channels');
  return {
    config: { ...DEFAULT_CONFIG, ...config },
    weight: constantVariable([channels], 1),
    bias: constantVariable([channels], 0),
    runningMean: constantVariable([channels], 0, false),
    runningVar: constantVariable([channels], 1, false),
    numBatchesTracked: tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false)),
  };
}

/**
 * @param x `[batch, height, width, channels]`.
 * @returns same shape. In training mode the batch's biased variance normalises and the unbiased one
 * (n / (n - 1)) enters the running variance, as in PyTorch.
 */
export function batchNormForward(
  params: BatchNormParams,
  x: tf.Tensor,
  options: BatchNormForwardOptions = {},
): tf.Tensor4D {
  const { eps, momentum } = params.config;
  if (!options.training) {
    return tf.tidy(() => {
      const scale = tf.mul(params.weight, tf.rsqrt(tf.add(params.runningVar, eps)));
      const shift = tf.sub(params.bias, tf.mul(params.runningMean, scale));
      return tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
    });
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    const out = tf.add(tf.mul(normalised, params.weight), params.bias) as tf.Tensor4D;
    if (options.updateRunningStats !== false) {
      const count = x.size / x.shape[3]!;
      const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
      params.runningMean.assign(tf.add(tf.mul(params.runningMean, 1 - momentum), tf.mul(mean, momentum)));
      params.runningVar.assign(tf.add(tf.mul(params.runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
      params.numBatchesTracked.assign(tf.add(params.numBatchesTracked, tf.scalar(1, 'int32')));
    }
    return out;
  });
}

/**
 * Reads `${prefix}weight|bias|running_mean|running_var` and, when present, `${prefix}num_batches_tracked`.
 */
export function loadBatchNormFromStateDict(
  dict: StateDict,
  prefix: string,
  config: Partial<BatchNormConfig> = {},
): BatchNormParams {
  const weight = stateDictTensor(dict, `${prefix}weight`, [-1]);
  const channels = [weight.shape[0]!];
  const trackedKey = `${prefix}num_batches_tracked`;
  const tracked = stateDictHas(dict, trackedKey)
    ? tf.tidy(() => tf.variable(tf.cast(tf.reshape(stateDictTensor(dict, trackedKey), []), 'int32'), false))
    : tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false));
  return {
    config: { ...DEFAULT_CONFIG, ...config },
    weight: variableFrom(weight),
    bias: variableFrom(stateDictTensor(dict, `${prefix}bias`, channels)),
    runningMean: variableFrom(stateDictTensor(dict, `${prefix}running_mean`, channels), undefined, false),
    runningVar: variableFrom(stateDictTensor(dict, `${prefix}running_var`, channels), undefined, false),
    numBatchesTracked: tracked,
  };
}

/** Writes the five official BatchNorm2d keys (`num_batches_tracked` as an int32 scalar). */
export function exportBatchNormToStateDict(params: BatchNormParams, prefix: string): MutableStateDict {
  return {
    [`${prefix}weight`]: tf.clone(params.weight),
    [`${prefix}bias`]: tf.clone(params.bias),
    [`${prefix}running_mean`]: tf.clone(params.runningMean),
    [`${prefix}running_var`]: tf.clone(params.runningVar),
    [`${prefix}num_batches_tracked`]: tf.clone(params.numBatchesTracked),
  };
}
