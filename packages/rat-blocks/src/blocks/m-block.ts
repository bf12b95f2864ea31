import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { BatchNormConfig } from '../core/batch-norm';
import {
  type Conv2dParams,
  conv2dForward,
  exportConv2dToStateDict,
  initConv2d,
  loadConv2dFromStateDict,
} from '../core/conv2d';
import { type MutableStateDict, mergeStateDicts, type StateDict, stateDictHas } from '../core/state-dict';
import type { AffineKind } from './affine-kinds';
import {
  type BlockConvKind,
  type BlockConvParams,
  blockConvForward,
  exportBlockConvToStateDict,
  initBlockConv,
  loadBlockConvFromStateDict,
} from './block-conv';
import type { ConditionalBlockForwardOptions } from './block-forward-options';
import {
  type DfBlockParams,
  dfBlockForward,
  exportDfBlockToStateDict,
  initDfBlock,
  loadDfBlockFromStateDict,
} from './df-block';
import { tidyWithChain } from './recurrent-affine-chain';

/**
 * RATLIP's adapter block (`M_Block_RAT`; `M_Block` with conditional affines):
 * residual = conv1 (k x k, bias) -> DF(mid) -> Conv_shuffle(mid -> out) -> DF(out);
 * output = shortcut(x) + residual, the shortcut a 1x1 conv (bias) only when in != out.
 * GALIP's `M_Block` is the same with a plain conv (bias) as conv2 (`convKind: 'plain'`).
 * State-dict sub-modules: `conv1.`, `fuse1.`, `conv2.`, `fuse2.`, `c_sc.`.
 */
export interface MBlockParams {
  readonly conv1: Conv2dParams;
  readonly fuse1: DfBlockParams;
  /** `Conv_shuffle` (RATLIP) or a plain conv with bias (GALIP). */
  readonly conv2: BlockConvParams;
  readonly fuse2: DfBlockParams;
  /** 1x1 conv, present only when in != out. */
  readonly shortcut?: Conv2dParams;
}

/** Sizes and options of {@link initMBlock}. */
export interface MBlockInitConfig {
  inChannels: number;
  midChannels: number;
  /** A multiple of 16 with `'shuffle'` convs (shuffle attention). */
  outChannels: number;
  /** Condition size (RATLIP: 612). */
  condDim: number;
  /** Affine kind of both DF blocks. Default `'recurrent'` (paper-mode RAT). */
  affine?: AffineKind;
  /** conv2: `'shuffle'` (RATLIP's Conv_shuffle, default) or `'plain'` (GALIP's conv with bias). */
  convKind?: BlockConvKind;
  /** LSTM hidden size. Default 64. */
  hiddenSize?: number;
  /** Kernel size of conv1 and conv2 in pixels. Default 3. */
  kernelSize?: number;
  /** Padding of conv1 and conv2 in pixels. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** DF blocks' leaky ReLU slope. Default 0.2. */
  dfSlope?: number;
  /** Conv_shuffle's leaky ReLU slope. Default 0.01. */
  convSlope?: number;
  /** Shuffle-attention groups. Default 8. */
  groups?: number;
  /** BatchNorm eps/momentum. Default 1e-5 / 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Reference initialisation of every part. */
export function initMBlock(config: MBlockInitConfig, rng: SeededRandom): MBlockParams {
  const affine = config.affine ?? 'recurrent';
  const df = { condDim: config.condDim, affine, hiddenSize: config.hiddenSize, slope: config.dfSlope };
  const convOptions = { kernelSize: config.kernelSize, padding: config.padding };
  const conv1 = initConv2d(config.inChannels, config.midChannels, rng, convOptions);
  const fuse1 = initDfBlock({ ...df, channels: config.midChannels }, rng);
  const conv2 = initBlockConv(config.convKind ?? 'shuffle', config.midChannels, config.outChannels, rng, {
    ...convOptions,
    slope: config.convSlope,
    groups: config.groups,
    batchNorm: config.batchNorm,
  });
  const fuse2 = initDfBlock({ ...df, channels: config.outChannels }, rng);
  if (config.inChannels === config.outChannels) return { conv1, fuse1, conv2, fuse2 };
  const shortcut = initConv2d(config.inChannels, config.outChannels, rng, { kernelSize: 1 });
  return { conv1, fuse1, conv2, fuse2, shortcut };
}

/** Output and residual branch of an M-block, `[batch, height, width, out]` each. */
export interface MBlockOutputs {
  readonly residual: tf.Tensor4D;
  readonly output: tf.Tensor4D;
}

/** Like {@link mBlockForward}, also returning the residual branch. */
export function mBlockForwardWithResidual(
  params: MBlockParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: ConditionalBlockForwardOptions = {},
): MBlockOutputs {
  const affineOptions = { chain: options.chain };
  const residual = tidyWithChain(options.chain, () => {
    const h1 = dfBlockForward(params.fuse1, conv2dForward(params.conv1, x), cond, affineOptions);
    const h2 = blockConvForward(params.conv2, h1, { training: options.training });
    return dfBlockForward(params.fuse2, h2, cond, affineOptions);
  });
  const output = tf.tidy(() => {
    const shortcut = params.shortcut ? conv2dForward(params.shortcut, x) : x;
    return tf.add(shortcut, residual) as tf.Tensor4D;
  });
  return { residual, output };
}

/**
 * @param x `[batch, height, width, in]`.
 * @param cond `[batch, condDim]`.
 * @returns `[batch, height, width, out]`. Paper-mode affines step `options.chain` four times.
 */
export function mBlockForward(
  params: MBlockParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: ConditionalBlockForwardOptions = {},
): tf.Tensor4D {
  const { residual, output } = mBlockForwardWithResidual(params, x, cond, options);
  residual.dispose();
  return output;
}

/** Options of {@link loadMBlockFromStateDict}. */
export interface MBlockLoadOptions {
  /** Affine kind of the stored DF blocks: `'recurrent-legacy'` for official RATLIP checkpoints. */
  affine: AffineKind;
  /** Padding of conv1/conv2. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** DF blocks' leaky ReLU slope. Default 0.2. */
  dfSlope?: number;
  /** Conv_shuffle's leaky ReLU slope. Default 0.01. */
  convSlope?: number;
  /** BatchNorm eps/momentum. Default 1e-5 / 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Reads the official `M_Block_RAT` (or GALIP `M_Block`) keys under `prefix`; conv2's kind is detected from its keys. */
export function loadMBlockFromStateDict(
  dict: StateDict,
  prefix: string,
  options: MBlockLoadOptions,
): MBlockParams {
  const df = { affine: options.affine, slope: options.dfSlope };
  const conv1 = loadConv2dFromStateDict(dict, `${prefix}conv1.`, { padding: options.padding });
  const fuse1 = loadDfBlockFromStateDict(dict, `${prefix}fuse1.`, df);
  const conv2 = loadBlockConvFromStateDict(dict, `${prefix}conv2.`, {
    padding: options.padding,
    slope: options.convSlope,
    batchNorm: options.batchNorm,
  });
  const fuse2 = loadDfBlockFromStateDict(dict, `${prefix}fuse2.`, df);
  if (!stateDictHas(dict, `${prefix}c_sc.weight`)) return { conv1, fuse1, conv2, fuse2 };
  return {
    conv1,
    fuse1,
    conv2,
    fuse2,
    shortcut: loadConv2dFromStateDict(dict, `${prefix}c_sc.`, { padding: 0 }),
  };
}

/** Writes the official `M_Block_RAT` (or GALIP `M_Block`) keys. */
export function exportMBlockToStateDict(params: MBlockParams, prefix: string): MutableStateDict {
  const parts = [
    exportConv2dToStateDict(params.conv1, `${prefix}conv1.`),
    exportDfBlockToStateDict(params.fuse1, `${prefix}fuse1.`),
    exportBlockConvToStateDict(params.conv2, `${prefix}conv2.`),
    exportDfBlockToStateDict(params.fuse2, `${prefix}fuse2.`),
  ];
  if (params.shortcut) parts.push(exportConv2dToStateDict(params.shortcut, `${prefix}c_sc.`));
  return mergeStateDicts(...parts);
}
