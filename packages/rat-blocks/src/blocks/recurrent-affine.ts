import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  exportLstmCellToStateDict,
  initLstmCell,
  type LstmCellParams,
  loadLstmCellFromStateDict,
  lstmSequence,
} from '../core/lstm-cell';
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
import { applyAndDisposeModulation, applyModulation, type Modulation } from './modulation';
import type { RecurrentAffineChain } from './recurrent-affine-chain';

/**
 * Paper-mode recurrent affine (RAT): its own gamma/beta heads (hidden -> C -> C) read the hidden state of
 * the SHARED cell of a {@link RecurrentAffineChain}, which the affine steps once with the condition.
 * Each sample is modulated by its own state: outputs do not depend on the rest of the batch.
 * State-dict keys: `fc_gamma.0|2.weight|bias`, `fc_beta.0|2.…` (the official head names).
 */
export interface RecurrentAffineParams {
  readonly kind: 'recurrent';
  readonly gamma: MlpHeadParams;
  readonly beta: MlpHeadParams;
}

/**
 * Legacy recurrent affine, exactly as the official RATLIP code (`Affine_rnn`) behaves: an independent
 * one-layer LSTM per affine, run from a zero state over the BATCH axis as if it were time; the last hidden
 * state gives ONE gamma/beta broadcast to all samples. Outputs therefore depend on batch order and batch
 * size. Offered only to run official checkpoints. State-dict keys: `rnn.weight_ih_l0|weight_hh_l0|
 * bias_ih_l0|bias_hh_l0`, `fc_gamma.0|2.*`, `fc_beta.0|2.*`.
 */
export interface LegacyRecurrentAffineParams {
  readonly kind: 'recurrent-legacy';
  readonly lstm: LstmCellParams;
  readonly gamma: MlpHeadParams;
  readonly beta: MlpHeadParams;
}

/** Official sub-module names of the `Affine_rnn` heads (an `nn.Sequential`: 0 = Linear, 1 = ReLU, 2 = Linear). */
export const RECURRENT_AFFINE_HEAD_KEYS: MlpHeadKeyNames = { first: '0', second: '2' };

/** Forward options of the recurrent affines. */
export interface RecurrentAffineForwardOptions {
  /** The pass's chain; required in paper mode, ignored in legacy mode. */
  chain?: RecurrentAffineChain;
}

/** Identity-initialised heads reading a `hiddenSize` state. */
export function initRecurrentAffine(
  hiddenSize: number,
  channels: number,
  rng: SeededRandom,
): RecurrentAffineParams {
  return {
    kind: 'recurrent',
    gamma: initMlpHead(hiddenSize, channels, 1, rng),
    beta: initMlpHead(hiddenSize, channels, 0, rng),
  };
}

/** Legacy affine: its own PyTorch-initialised LSTM(condDim -> hiddenSize) plus identity-initialised heads. */
export function initLegacyRecurrentAffine(
  condDim: number,
  hiddenSize: number,
  channels: number,
  rng: SeededRandom,
): LegacyRecurrentAffineParams {
  return {
    kind: 'recurrent-legacy',
    lstm: initLstmCell(condDim, hiddenSize, rng),
    gamma: initMlpHead(hiddenSize, channels, 1, rng),
    beta: initMlpHead(hiddenSize, channels, 0, rng),
  };
}

function headsModulation(
  params: { gamma: MlpHeadParams; beta: MlpHeadParams },
  hidden: tf.Tensor,
): Modulation {
  return { gamma: mlpHeadForward(params.gamma, hidden), beta: mlpHeadForward(params.beta, hidden) };
}

/**
 * Steps `chain` once with `cond` and maps the new hidden state to gamma/beta, `[batch, channels]` each.
 * @param cond `[batch, condDim]`.
 */
export function recurrentAffineModulation(
  params: RecurrentAffineParams,
  cond: tf.Tensor,
  options: RecurrentAffineForwardOptions,
): Modulation {
  const chain = options.chain;
  if (!chain) {
    throw new Error(
      'recurrent affine (paper mode): options.chain is required (RecurrentAffineChain.start(...) once per forward pass)',
    );
  }
  if (chain.hiddenSize !== mlpHeadInFeatures(params.gamma)) {
    throw new Error(
      `recurrent affine: heads read ${mlpHeadInFeatures(params.gamma)} features but the chain's hidden size is ${chain.hiddenSize}`,
    );
  }
  const hidden = chain.step(cond);
  return tf.tidy(() => headsModulation(params, hidden));
}

/** The legacy pass's intermediates (the fixtures' `lstm_seq_out`, `h_n`, `c_n`, `gamma`, `beta`). */
export type LegacyRecurrentModulation = Modulation & {
  /** `[batch, hidden]`: hidden state after consuming samples 0..t. */
  readonly sequence: tf.Tensor2D;
  /** `[1, hidden]`. */
  readonly h: tf.Tensor2D;
  /** `[1, hidden]`. */
  readonly c: tf.Tensor2D;
};

/**
 * Runs the affine's own LSTM over the batch as a sequence; gamma/beta are `[1, channels]`.
 * @param cond `[batch, condDim]`.
 */
export function legacyRecurrentAffineModulation(
  params: LegacyRecurrentAffineParams,
  cond: tf.Tensor,
): LegacyRecurrentModulation {
  return tf.tidy(() => {
    const run = lstmSequence(params.lstm, cond);
    return { ...headsModulation(params, run.h), sequence: run.outputs, h: run.h, c: run.c };
  });
}

/**
 * Paper-mode forward (steps `options.chain`).
 * @param x `[batch, height, width, channels]`.
 * @param cond `[batch, condDim]`.
 */
export function recurrentAffineForward(
  params: RecurrentAffineParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: RecurrentAffineForwardOptions,
): tf.Tensor4D {
  return applyAndDisposeModulation(x, recurrentAffineModulation(params, cond, options));
}

/**
 * Legacy forward (batch-order dependent, see {@link LegacyRecurrentAffineParams}).
 * @param x `[batch, height, width, channels]`.
 * @param cond `[batch, condDim]`.
 */
export function legacyRecurrentAffineForward(
  params: LegacyRecurrentAffineParams,
  x: tf.Tensor,
  cond: tf.Tensor,
): tf.Tensor4D {
  return tf.tidy(() => applyModulation(x, legacyRecurrentAffineModulation(params, cond)));
}

/** Reads `${prefix}fc_gamma.*` and `${prefix}fc_beta.*`; any `${prefix}rnn.*` is ignored. */
export function loadRecurrentAffineFromStateDict(dict: StateDict, prefix: string): RecurrentAffineParams {
  return {
    kind: 'recurrent',
    gamma: loadMlpHeadFromStateDict(dict, `${prefix}fc_gamma.`, RECURRENT_AFFINE_HEAD_KEYS),
    beta: loadMlpHeadFromStateDict(dict, `${prefix}fc_beta.`, RECURRENT_AFFINE_HEAD_KEYS),
  };
}

/** Reads the official `Affine_rnn` keys. */
export function loadLegacyRecurrentAffineFromStateDict(
  dict: StateDict,
  prefix: string,
): LegacyRecurrentAffineParams {
  return {
    ...loadRecurrentAffineFromStateDict(dict, prefix),
    kind: 'recurrent-legacy',
    lstm: loadLstmCellFromStateDict(dict, `${prefix}rnn.`, '_l0'),
  };
}

function exportHeads(
  params: { gamma: MlpHeadParams; beta: MlpHeadParams },
  prefix: string,
): MutableStateDict {
  return mergeStateDicts(
    exportMlpHeadToStateDict(params.gamma, `${prefix}fc_gamma.`, RECURRENT_AFFINE_HEAD_KEYS),
    exportMlpHeadToStateDict(params.beta, `${prefix}fc_beta.`, RECURRENT_AFFINE_HEAD_KEYS),
  );
}

/** Writes the heads (the shared cell belongs to the chain's own export). */
export function exportRecurrentAffineToStateDict(
  params: RecurrentAffineParams,
  prefix: string,
): MutableStateDict {
  return exportHeads(params, prefix);
}

/** Writes the official `Affine_rnn` keys. */
export function exportLegacyRecurrentAffineToStateDict(
  params: LegacyRecurrentAffineParams,
  prefix: string,
): MutableStateDict {
  return mergeStateDicts(
    exportLstmCellToStateDict(params.lstm, `${prefix}rnn.`, '_l0'),
    exportHeads(params, prefix),
  );
}

/** Modulated channels of a recurrent affine (either mode). */
export function recurrentAffineChannels(params: RecurrentAffineParams | LegacyRecurrentAffineParams): number {
  return mlpHeadChannels(params.gamma);
}
