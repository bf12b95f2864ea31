import type { SeededRandom } from '@ratlip/runtime';
import type * as tf from '@tensorflow/tfjs';
import type { BatchNormConfig } from '../core/batch-norm';
import {
  type Conv2dParams,
  conv2dForward,
  exportConv2dToStateDict,
  initConv2d,
  loadConv2dFromStateDict,
} from '../core/conv2d';
import { type MutableStateDict, type StateDict, stateDictHas } from '../core/state-dict';
import {
  type ConvShuffleParams,
  convShuffleForward,
  exportConvShuffleToStateDict,
  initConvShuffle,
  loadConvShuffleFromStateDict,
} from './conv-shuffle';

/**
 * The convolutions inside the M- and G-blocks:
 * - `'shuffle'`: RATLIP's `Conv_shuffle` (conv without bias -> BatchNorm -> leaky ReLU 0.01 -> shuffle
 *   attention); state-dict keys `conv.weight`, `bn.*`, `se.*`.
 * - `'plain'`: GALIP's plain `nn.Conv2d` with bias; keys `weight`, `bias`.
 */
export type BlockConvKind = 'shuffle' | 'plain';

/** Parameters of either kind: {@link ConvShuffleParams} or a plain {@link Conv2dParams}. */
export type BlockConvParams = ConvShuffleParams | Conv2dParams;

/** Options of {@link initBlockConv}. */
export interface BlockConvInitOptions {
  /** Square kernel size in pixels. Default 3. */
  kernelSize?: number;
  /** Zero padding in pixels. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** `'shuffle'` only: leaky ReLU slope. Default 0.01. */
  slope?: number;
  /** `'shuffle'` only: shuffle-attention groups. Default 8 (out channels a multiple of 16). */
  groups?: number;
  /** `'shuffle'` only: BatchNorm eps/momentum. Default 1e-5 / 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Options of {@link loadBlockConvFromStateDict}: what a state dict does not hold. */
export interface BlockConvLoadOptions {
  /** Zero padding in pixels. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** `'shuffle'` only: leaky ReLU slope. Default 0.01. */
  slope?: number;
  /** `'shuffle'` only: BatchNorm eps/momentum. Default 1e-5 / 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Forward options of {@link blockConvForward}. */
export interface BlockConvForwardOptions {
  /** `'shuffle'` only: BatchNorm in training mode. Default false. */
  training?: boolean;
}

/** True for a `Conv_shuffle` (it has BatchNorm and shuffle attention). */
export function isConvShuffle(params: BlockConvParams): params is ConvShuffleParams {
  return 'se' in params;
}

/** The kind of a block conv's parameters. */
export function blockConvKind(params: BlockConvParams): BlockConvKind {
  return isConvShuffle(params) ? 'shuffle' : 'plain';
}

interface BlockConvKindSpec {
  init(
    inChannels: number,
    outChannels: number,
    rng: SeededRandom,
    options: BlockConvInitOptions,
  ): BlockConvParams;
  /** True when the keys under `prefix` hold this kind. */
  stored(dict: StateDict, prefix: string): boolean;
  load(dict: StateDict, prefix: string, options: BlockConvLoadOptions): BlockConvParams;
}

/** The registry of block conv kinds. */
const BLOCK_CONV_KINDS: Readonly<Record<BlockConvKind, BlockConvKindSpec>> = {
  shuffle: {
    init: (inChannels, outChannels, rng, options) => initConvShuffle(inChannels, outChannels, rng, options),
    stored: (dict, prefix) => stateDictHas(dict, `${prefix}conv.weight`),
    load: (dict, prefix, options) => loadConvShuffleFromStateDict(dict, prefix, options),
  },
  plain: {
    init: (inChannels, outChannels, rng, options) =>
      initConv2d(inChannels, outChannels, rng, { kernelSize: options.kernelSize, padding: options.padding }),
    stored: (dict, prefix) => stateDictHas(dict, `${prefix}weight`),
    load: (dict, prefix, options) => loadConv2dFromStateDict(dict, prefix, { padding: options.padding }),
  },
};

/** Names of the block conv kinds. */
export const BLOCK_CONV_KIND_NAMES: readonly BlockConvKind[] = Object.keys(
  BLOCK_CONV_KINDS,
) as BlockConvKind[];

/** Reference initialisation of a block conv of `kind` (PyTorch-default conv; identity BN; reference SA). */
export function initBlockConv(
  kind: BlockConvKind,
  inChannels: number,
  outChannels: number,
  rng: SeededRandom,
  options: BlockConvInitOptions = {},
): BlockConvParams {
  const spec = BLOCK_CONV_KINDS[kind];
  if (!spec) {
    throw new Error(
      `block conv kind: unknown '${kind}', expected one of ${BLOCK_CONV_KIND_NAMES.join(', ')}`,
    );
  }
  return spec.init(inChannels, outChannels, rng, options);
}

/**
 * @param x `[batch, height, width, in]`.
 * @returns `[batch, height, width, out]`.
 */
export function blockConvForward(
  params: BlockConvParams,
  x: tf.Tensor,
  options: BlockConvForwardOptions = {},
): tf.Tensor4D {
  return isConvShuffle(params) ? convShuffleForward(params, x, options) : conv2dForward(params, x);
}

/**
 * Reads a block conv under `prefix`, detecting its kind from the keys (`conv.weight` for `Conv_shuffle`,
 * `weight` for a plain conv). Throws naming the prefix when neither is there.
 */
export function loadBlockConvFromStateDict(
  dict: StateDict,
  prefix: string,
  options: BlockConvLoadOptions = {},
): BlockConvParams {
  for (const spec of Object.values(BLOCK_CONV_KINDS)) {
    if (spec.stored(dict, prefix)) return spec.load(dict, prefix, options);
  }
  throw new Error(
    `state dict: no block conv under '${prefix}' (expected '${prefix}conv.weight' for Conv_shuffle or '${prefix}weight' for a plain conv)`,
  );
}

/** Writes the official keys of either kind under `prefix`. */
export function exportBlockConvToStateDict(params: BlockConvParams, prefix: string): MutableStateDict {
  return isConvShuffle(params)
    ? exportConvShuffleToStateDict(params, prefix)
    : exportConv2dToStateDict(params, prefix);
}
