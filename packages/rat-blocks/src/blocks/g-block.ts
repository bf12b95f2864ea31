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
  type DfBlockPlaces,
  dfBlockForward,
  exportDfBlockToStateDict,
  initDfBlock,
  loadDfBlockFromStateDict,
} from './df-block';
import type { PhraseMixture } from './modulation';
import { nearestUpsample, type SpatialSize, spatialSize } from './nearest-upsample';
import { tidyWithChain } from './recurrent-affine-chain';

/** Hyperparameters of a G-block that a state dict does not hold. */
export interface GBlockConfig {
  /** Output spatial size `[height, width]` of the nearest upsample (RATLIP: 8, 16, ..., and 224 last). */
  readonly size: readonly [number, number];
}

/**
 * RATLIP's generator block (`G_Block`): h = nearest-upsample(x, size) (PyTorch legacy nearest);
 * output = shortcut(h) + residual(h), residual = DF(in) -> Conv_shuffle(in -> out) -> DF(out) ->
 * Conv_shuffle(out -> out), added without a scale; shortcut a 1x1 conv (bias) only when in != out.
 * GALIP's `G_Block` is the same with plain convs (bias) as c1 and c2 (`convKind: 'plain'`).
 * State-dict sub-modules: `fuse1.`, `c1.`, `fuse2.`, `c2.`, `c_sc.`.
 */
export interface GBlockParams {
  readonly config: GBlockConfig;
  readonly fuse1: DfBlockParams;
  /** `Conv_shuffle` (RATLIP) or a plain conv with bias (GALIP). */
  readonly c1: BlockConvParams;
  readonly fuse2: DfBlockParams;
  /** `Conv_shuffle` (RATLIP) or a plain conv with bias (GALIP). */
  readonly c2: BlockConvParams;
  /** 1x1 conv, present only when in != out. */
  readonly shortcut?: Conv2dParams;
}

/** Sizes and options of {@link initGBlock}. */
export interface GBlockInitConfig {
  inChannels: number;
  /** A multiple of 16 with `'shuffle'` convs (shuffle attention). */
  outChannels: number;
  /** Condition size (RATLIP: 612). */
  condDim: number;
  /** Output size of the nearest upsample, one number (square) or `[height, width]`. */
  size: SpatialSize;
  /** Affine kind of both DF blocks. Default `'conditional'` (as in RATLIP's G-blocks). */
  affine?: AffineKind;
  /** c1/c2: `'shuffle'` (RATLIP's Conv_shuffle, default) or `'plain'` (GALIP's conv with bias). */
  convKind?: BlockConvKind;
  /** LSTM hidden size for recurrent kinds. Default 64. */
  hiddenSize?: number;
  /** Kernel size of the two Conv_shuffle convs in pixels. Default 3. */
  kernelSize?: number;
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
export function initGBlock(config: GBlockInitConfig, rng: SeededRandom): GBlockParams {
  const df = {
    condDim: config.condDim,
    affine: config.affine,
    hiddenSize: config.hiddenSize,
    slope: config.dfSlope,
  };
  const convOptions = {
    kernelSize: config.kernelSize,
    slope: config.convSlope,
    groups: config.groups,
    batchNorm: config.batchNorm,
  };
  const convKind = config.convKind ?? 'shuffle';
  const base = {
    config: { size: spatialSize(config.size) },
    fuse1: initDfBlock({ ...df, channels: config.inChannels }, rng),
    c1: initBlockConv(convKind, config.inChannels, config.outChannels, rng, convOptions),
    fuse2: initDfBlock({ ...df, channels: config.outChannels }, rng),
    c2: initBlockConv(convKind, config.outChannels, config.outChannels, rng, convOptions),
  };
  if (config.inChannels === config.outChannels) return base;
  return { ...base, shortcut: initConv2d(config.inChannels, config.outChannels, rng, { kernelSize: 1 }) };
}

/** Place modulations of a G-block's affines (not in RATLIP): `fuse1` at its input width, `fuse2` at its output width. */
export interface GBlockPlaces {
  readonly fuse1: DfBlockPlaces;
  readonly fuse2: DfBlockPlaces;
}

/** Forward options of a G-block. */
export interface GBlockForwardOptions extends ConditionalBlockForwardOptions {
  /** Scale and shift per place added to its four affines', at the upsampled size. Default none. */
  places?: GBlockPlaces;
  /**
   * Conditions per phrase and each place's weights over them, at the upsampled size (not in RATLIP):
   * its four affines take them instead of `cond` (`AffineForwardOptions.phrases`). Default none.
   */
  phrases?: PhraseMixture;
}

/** Upsampled input, residual and output of a G-block. */
export interface GBlockOutputs {
  /** `[batch, size[0], size[1], in]`. */
  readonly upsampled: tf.Tensor4D;
  /** `[batch, size[0], size[1], out]`. */
  readonly residual: tf.Tensor4D;
  /** `[batch, size[0], size[1], out]`. */
  readonly output: tf.Tensor4D;
}

/** Like {@link gBlockForward}, also returning the upsampled input and the residual branch. */
export function gBlockForwardWithIntermediates(
  params: GBlockParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: GBlockForwardOptions = {},
): GBlockOutputs {
  const { chain, places, phrases } = options;
  const convOptions = { training: options.training };
  const upsampled = nearestUpsample(x, params.config.size);
  const residual = tidyWithChain(chain, () => {
    const h1 = blockConvForward(
      params.c1,
      dfBlockForward(params.fuse1, upsampled, cond, {
        chain,
        ...(places ? { places: places.fuse1 } : {}),
        ...(phrases ? { phrases } : {}),
      }),
      convOptions,
    );
    const fused = dfBlockForward(params.fuse2, h1, cond, {
      chain,
      ...(places ? { places: places.fuse2 } : {}),
      ...(phrases ? { phrases } : {}),
    });
    return blockConvForward(params.c2, fused, convOptions);
  });
  const output = tf.tidy(() => {
    const shortcut = params.shortcut ? conv2dForward(params.shortcut, upsampled) : upsampled;
    return tf.add(shortcut, residual) as tf.Tensor4D;
  });
  return { upsampled, residual, output };
}

/**
 * @param x `[batch, height, width, in]`.
 * @param cond `[batch, condDim]`.
 * @returns `[batch, size[0], size[1], out]`.
 */
export function gBlockForward(
  params: GBlockParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: GBlockForwardOptions = {},
): tf.Tensor4D {
  const { upsampled, residual, output } = gBlockForwardWithIntermediates(params, x, cond, options);
  tf.dispose([upsampled, residual]);
  return output;
}

/** Options of {@link loadGBlockFromStateDict}. */
export interface GBlockLoadOptions {
  /** Output size of the nearest upsample (not stored in a state dict). */
  size: SpatialSize;
  /** Affine kind of the stored DF blocks. Default `'conditional'`. */
  affine?: AffineKind;
  /** DF blocks' leaky ReLU slope. Default 0.2. */
  dfSlope?: number;
  /** Conv_shuffle's leaky ReLU slope. Default 0.01. */
  convSlope?: number;
  /** BatchNorm eps/momentum. Default 1e-5 / 0.1. */
  batchNorm?: Partial<BatchNormConfig>;
}

/** Reads the official `G_Block` (RATLIP or GALIP) keys under `prefix`; the conv kind is detected from the keys. */
export function loadGBlockFromStateDict(
  dict: StateDict,
  prefix: string,
  options: GBlockLoadOptions,
): GBlockParams {
  const df = { affine: options.affine ?? 'conditional', slope: options.dfSlope };
  const conv = { slope: options.convSlope, batchNorm: options.batchNorm };
  const base = {
    config: { size: spatialSize(options.size) },
    fuse1: loadDfBlockFromStateDict(dict, `${prefix}fuse1.`, df),
    c1: loadBlockConvFromStateDict(dict, `${prefix}c1.`, conv),
    fuse2: loadDfBlockFromStateDict(dict, `${prefix}fuse2.`, df),
    c2: loadBlockConvFromStateDict(dict, `${prefix}c2.`, conv),
  };
  if (!stateDictHas(dict, `${prefix}c_sc.weight`)) return base;
  return { ...base, shortcut: loadConv2dFromStateDict(dict, `${prefix}c_sc.`, { padding: 0 }) };
}

/** Writes the official `G_Block` (RATLIP or GALIP) keys. */
export function exportGBlockToStateDict(params: GBlockParams, prefix: string): MutableStateDict {
  const parts = [
    exportDfBlockToStateDict(params.fuse1, `${prefix}fuse1.`),
    exportBlockConvToStateDict(params.c1, `${prefix}c1.`),
    exportDfBlockToStateDict(params.fuse2, `${prefix}fuse2.`),
    exportBlockConvToStateDict(params.c2, `${prefix}c2.`),
  ];
  if (params.shortcut) parts.push(exportConv2dToStateDict(params.shortcut, `${prefix}c_sc.`));
  return mergeStateDicts(...parts);
}
