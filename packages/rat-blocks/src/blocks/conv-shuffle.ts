import type { SeededRandom } from '@ratlip/runtime';
import { leakyRelu } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  type BatchNormConfig,
  type BatchNormParams,
  batchNormForward,
  exportBatchNormToStateDict,
  initBatchNorm,
  loadBatchNormFromStateDict,
} from '../core/batch-norm';
import {
  type Conv2dConfig,
  type Conv2dParams,
  conv2dForward,
  conv2dOutChannels,
  exportConv2dToStateDict,
  initConv2d,
  loadConv2dFromStateDict,
} from '../core/conv2d';
import { type MutableStateDict, mergeStateDicts, type StateDict } from '../core/state-dict';
import {
  exportShuffleAttentionToStateDict,
  initShuffleAttention,
  loadShuffleAttentionFromStateDict,
  SHUFFLE_ATTENTION_GROUPS,
  type ShuffleAttentionParams,
  shuffleAttentionForward,
} from './shuffle-attention';

/** Hyperparameters of {@link ConvShuffleParams} that a state dict does not hold. */
export interface ConvShuffleConfig {
  /** Slope of the leaky ReLU after the BatchNorm. Default 0.01 (PyTorch's `nn.LeakyReLU()` default). */
  readonly slope: number;
}

/**
 * RATLIP's `Conv_shuffle`: conv k x k (no bias) -> BatchNorm2d -> leaky ReLU (0.01) -> shuffle attention.
 * State-dict sub-modules: `conv.`, `bn.`, `se.`.
 */
export interface ConvShuffleParams {
  readonly config: ConvShuffleConfig;
  readonly conv: Conv2dParams;
  readonly bn: BatchNormParams;
  readonly se: ShuffleAttentionParams;
}

/** Options of {@link initConvShuffle}. */
export interface ConvShuffleInitOptions {
  /** Square kernel size in pixels. Default 3. */
  kernelSize?: number;
  /** Stride in pixels. Default 1. */
  stride?: number;
  /** Zero padding in pixels. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** Leaky ReLU slope. Default 0.01. */
  slope?: number;
  /** Shuffle-attention groups. Default 8 (outChannels must be a multiple of 16). */
  groups?: number;
  /** BatchNorm eps/momentum (PyTorch convention). Default eps 1e-5, momentum 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Forward options of {@link convShuffleForward}. */
export interface ConvShuffleForwardOptions {
  /** BatchNorm uses batch statistics and updates its running statistics. Default false. */
  training?: boolean;
}

/** Reference initialisation: PyTorch-default conv, identity BatchNorm, reference shuffle attention. */
export function initConvShuffle(
  inChannels: number,
  outChannels: number,
  rng: SeededRandom,
  options: ConvShuffleInitOptions = {},
): ConvShuffleParams {
  return {
    config: { slope: options.slope ?? 0.01 },
    conv: initConv2d(inChannels, outChannels, rng, {
      kernelSize: options.kernelSize,
      stride: options.stride,
      padding: options.padding,
      bias: false,
    }),
    bn: initBatchNorm(outChannels, options.batchNorm),
    se: initShuffleAttention(outChannels, options.groups ?? SHUFFLE_ATTENTION_GROUPS),
  };
}

/** The activation before shuffle attention (the fixtures' `pre_sa`), `[batch, height', width', out]`. */
export function convShufflePreAttention(
  params: ConvShuffleParams,
  x: tf.Tensor,
  options: ConvShuffleForwardOptions = {},
): tf.Tensor4D {
  return tf.tidy(() =>
    leakyRelu(batchNormForward(params.bn, conv2dForward(params.conv, x), options), params.config.slope),
  );
}

/**
 * @param x `[batch, height, width, in]`.
 * @returns `[batch, height', width', out]`.
 */
export function convShuffleForward(
  params: ConvShuffleParams,
  x: tf.Tensor,
  options: ConvShuffleForwardOptions = {},
): tf.Tensor4D {
  return tf.tidy(() => shuffleAttentionForward(params.se, convShufflePreAttention(params, x, options)));
}

/** Options of {@link loadConvShuffleFromStateDict}: what a state dict does not hold. */
export interface ConvShuffleLoadOptions {
  /** Conv stride in pixels. Default 1. */
  stride?: number;
  /** Conv zero padding in pixels. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** Leaky ReLU slope. Default 0.01. */
  slope?: number;
  /** BatchNorm eps/momentum. Default 1e-5 / 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Reads `${prefix}conv.weight`, `${prefix}bn.*`, `${prefix}se.*`. */
export function loadConvShuffleFromStateDict(
  dict: StateDict,
  prefix: string,
  options: ConvShuffleLoadOptions = {},
): ConvShuffleParams {
  const convConfig: Partial<Conv2dConfig> = { stride: options.stride, padding: options.padding };
  return {
    config: { slope: options.slope ?? 0.01 },
    conv: loadConv2dFromStateDict(dict, `${prefix}conv.`, convConfig),
    bn: loadBatchNormFromStateDict(dict, `${prefix}bn.`, options.batchNorm),
    se: loadShuffleAttentionFromStateDict(dict, `${prefix}se.`),
  };
}

/** Writes the official `Conv_shuffle` keys. */
export function exportConvShuffleToStateDict(params: ConvShuffleParams, prefix: string): MutableStateDict {
  return mergeStateDicts(
    exportConv2dToStateDict(params.conv, `${prefix}conv.`),
    exportBatchNormToStateDict(params.bn, `${prefix}bn.`),
    exportShuffleAttentionToStateDict(params.se, `${prefix}se.`),
  );
}

/** Output channels. */
export function convShuffleOutChannels(params: ConvShuffleParams): number {
  return conv2dOutChannels(params.conv);
}
