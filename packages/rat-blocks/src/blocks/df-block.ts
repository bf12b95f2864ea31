import type { SeededRandom } from '@ratlip/runtime';
import { leakyRelu } from '@ratlip/runtime';
import type * as tf from '@tensorflow/tfjs';
import { type MutableStateDict, mergeStateDicts, type StateDict } from '../core/state-dict';
import {
  type AffineForwardOptions,
  type AffineKind,
  type AffineParams,
  affineForward,
  exportAffineToStateDict,
  initAffine,
  loadAffineFromStateDict,
} from './affine-kinds';
import type { PlaceModulation } from './modulation';
import { tidyWithChain } from './recurrent-affine-chain';

/** Hyperparameters of a DF block that a state dict does not hold. */
export interface DfBlockConfig {
  /** Leaky ReLU slope after each affine. Default 0.2. */
  readonly slope: number;
}

/**
 * DF-GAN's fusion block (RATLIP `DFBLK` / `DFBLK_rnn`): affine0 -> leaky ReLU -> affine1 -> leaky ReLU,
 * with either affine kind. State-dict sub-modules: `affine0.`, `affine1.`.
 */
export interface DfBlockParams {
  readonly config: DfBlockConfig;
  readonly affine0: AffineParams;
  readonly affine1: AffineParams;
}

/** Sizes and options of {@link initDfBlock}. */
export interface DfBlockInitConfig {
  /** Condition size. */
  condDim: number;
  /** Modulated channels. */
  channels: number;
  /** Affine kind. Default `'conditional'`. */
  affine?: AffineKind;
  /** LSTM hidden size for the recurrent kinds. Default 64. */
  hiddenSize?: number;
  /** Leaky ReLU slope. Default 0.2. */
  slope?: number;
}

/** Identity-initialised affines of the chosen kind. */
export function initDfBlock(config: DfBlockInitConfig, rng: SeededRandom): DfBlockParams {
  const kind = config.affine ?? 'conditional';
  const affineConfig = { condDim: config.condDim, channels: config.channels, hiddenSize: config.hiddenSize };
  return {
    config: { slope: config.slope ?? 0.2 },
    affine0: initAffine(kind, affineConfig, rng),
    affine1: initAffine(kind, affineConfig, rng),
  };
}

/** The options of each of the two affines. */
function affineOptions(options: DfBlockForwardOptions): [AffineForwardOptions, AffineForwardOptions] {
  const { places, ...shared } = options;
  return places
    ? [
        { ...shared, place: places[0] },
        { ...shared, place: places[1] },
      ]
    : [shared, shared];
}

/** Forward options of a DF block. */
export interface DfBlockForwardOptions extends Omit<AffineForwardOptions, 'place'> {
  /** Scale and shift per place for `affine0` and `affine1` (not in RATLIP). Default none. */
  places?: DfBlockPlaces;
}

/** Place modulations of a DF block's two affines, in order. */
export type DfBlockPlaces = readonly [PlaceModulation, PlaceModulation];

/** Intermediates of {@link dfBlockForwardWithIntermediates}. */
export interface DfBlockOutputs {
  /** After affine0 and its leaky ReLU, `[batch, height, width, channels]`. */
  readonly afterFirst: tf.Tensor4D;
  /** The block output, `[batch, height, width, channels]`. */
  readonly output: tf.Tensor4D;
}

/**
 * Like {@link dfBlockForward} but also returns the activation after the first affine.
 * Paper-mode affines step `options.chain` twice, in order.
 */
export function dfBlockForwardWithIntermediates(
  params: DfBlockParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: DfBlockForwardOptions = {},
): DfBlockOutputs {
  const { slope } = params.config;
  const chain = options.chain;
  const [first, second] = affineOptions(options);
  const afterFirst = tidyWithChain(chain, () =>
    leakyRelu(affineForward(params.affine0, x, cond, first), slope),
  );
  const output = tidyWithChain(chain, () =>
    leakyRelu(affineForward(params.affine1, afterFirst, cond, second), slope),
  );
  return { afterFirst, output };
}

/**
 * @param x `[batch, height, width, channels]`.
 * @param cond `[batch, condDim]`.
 * @returns same shape as `x`.
 */
export function dfBlockForward(
  params: DfBlockParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: DfBlockForwardOptions = {},
): tf.Tensor4D {
  const [firstOptions, secondOptions] = affineOptions(options);
  return tidyWithChain(options.chain, () => {
    const { slope } = params.config;
    const first = leakyRelu(affineForward(params.affine0, x, cond, firstOptions), slope);
    return leakyRelu(affineForward(params.affine1, first, cond, secondOptions), slope);
  });
}

/** Options of {@link loadDfBlockFromStateDict}. */
export interface DfBlockLoadOptions {
  /** Kind of the stored affines: `'conditional'` (DFBLK) or `'recurrent-legacy'` (official DFBLK_rnn). */
  affine: AffineKind;
  /** Leaky ReLU slope. Default 0.2. */
  slope?: number;
}

/** Reads `${prefix}affine0.*` and `${prefix}affine1.*` as affines of `kind`. */
export function loadDfBlockFromStateDict(
  dict: StateDict,
  prefix: string,
  options: DfBlockLoadOptions,
): DfBlockParams {
  return {
    config: { slope: options.slope ?? 0.2 },
    affine0: loadAffineFromStateDict(dict, `${prefix}affine0.`, options.affine),
    affine1: loadAffineFromStateDict(dict, `${prefix}affine1.`, options.affine),
  };
}

/** Writes the official `DFBLK` / `DFBLK_rnn` keys. */
export function exportDfBlockToStateDict(params: DfBlockParams, prefix: string): MutableStateDict {
  return mergeStateDicts(
    exportAffineToStateDict(params.affine0, `${prefix}affine0.`),
    exportAffineToStateDict(params.affine1, `${prefix}affine1.`),
  );
}
