import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  exportLinearToStateDict,
  initLinear,
  type LinearParams,
  linearForward,
  loadLinearFromStateDict,
} from '../core/linear';
import { assertPositiveInteger, constantVariable, positiveGain } from '../core/pytorch-init';
import type { MutableStateDict, StateDict } from '../core/state-dict';
import {
  checkPlacesOverTokens,
  maskedAttention,
  POSITION_FEATURES,
  placeQueries,
} from './places-over-tokens';

const WORD_NAMES = {
  where: 'wordAttentionForward',
  tokens: 'word features',
  count: 'words',
  mask: 'word mask',
};

/**
 * Word attention (not in RATLIP; the word-level attention of AttnGAN, as a residual): every position
 * of a feature map attends over its caption's word features and adds what it reads,
 * `x + valueGain · softmax(scoreGain · q(x) · k(words)ᵀ / √keyDim + mask) · v(words)`. A pooled sentence embedding blurs which
 * attribute belongs to which object of a caption; each word feature of a causal text encoder (CLIP's)
 * still carries the words before it, so a position can read the phrase meant for it.
 *
 * The value projection starts at zero, so the block starts as the identity. A zero scalar gate (SAGAN's)
 * would do the same, but at a GAN's Adam step of 1e-4 such a gate stays near zero for thousands of
 * steps; a zero projection moves the output by up to its fan-in times the step from the first update,
 * and the constant `valueGain` multiplies that pace (with Adam, a learning-rate multiplier for `v`).
 */
export interface WordAttentionParams {
  readonly config: { readonly valueGain: number; readonly scoreGain: number };
  /** Feature map to queries, `[channels, keyDim]`, no bias. */
  readonly query: LinearParams;
  /** Word features to keys, `[wordWidth, keyDim]`, no bias. */
  readonly key: LinearParams;
  /** Word features to values, `[wordWidth, channels]` with bias; both start at zero. */
  readonly value: LinearParams;
  /**
   * With {@link WordAttentionConfig.positionQuery}: where each position is, `(x, y, x², y²)` with
   * `x, y` in [-1, 1] at pixel centres, to queries, `[4, keyDim]`, no bias.
   */
  readonly position?: LinearParams;
}

/** Sizes of a word-attention block. */
export interface WordAttentionConfig {
  /** Channels of the feature map it reads and writes. */
  channels: number;
  /** Width of the word features (CLIP's text width, e.g. 512 for ViT-B/32). */
  wordWidth: number;
  /** Width of queries and keys. */
  keyDim: number;
  /**
   * Constant factor on the attended values. With Adam it multiplies the value projection's learning
   * rate: attention added to a trained generator learns at the pace one picks. Default 1.
   */
  valueGain?: number;
  /**
   * Constant factor on the attention scores. Projections at their initial scale give scores of about
   * 0.2, so the attention starts nearly uniform, and at a GAN's Adam step of 1e-4 the projections take
   * tens of thousands of steps to grow the scores that select a word; with Adam this gain multiplies
   * that pace. Default 1.
   */
  scoreGain?: number;
  /**
   * Queries also see where each position is (a learned projection of its coordinates, as a
   * transformer's positional embedding), so that a position can look for the words that name its place
   * ("at the left") without inferring its place from the features. Default false.
   */
  positionQuery?: boolean;
}

/** The caption side of {@link wordAttentionForward}. */
export interface WordFeatures {
  /** Per-token features `[batch, words, wordWidth]` (e.g. CLIP's text tokens after `ln_final`). */
  features: tf.Tensor3D;
  /** `[batch, words]`: 1 for the tokens to attend to, 0 for padding. Every row needs at least one 1. */
  mask: tf.Tensor2D;
}

/**
 * PyTorch-default initialisation of the query and key projections (drawn from `rng` in that order) and
 * a zero value projection, so adding the block to a trained generator leaves its output unchanged.
 */
export function initWordAttention(config: WordAttentionConfig, rng: SeededRandom): WordAttentionParams {
  const { channels, wordWidth, keyDim } = config;
  assertPositiveInteger(channels, 'initWordAttention channels');
  assertPositiveInteger(wordWidth, 'initWordAttention wordWidth');
  assertPositiveInteger(keyDim, 'initWordAttention keyDim');
  return {
    config: gains(config, 'initWordAttention'),
    query: initLinear(channels, keyDim, rng, { bias: false }),
    key: initLinear(wordWidth, keyDim, rng, { bias: false }),
    value: { weight: constantVariable([wordWidth, channels], 0), bias: constantVariable([channels], 0) },
    ...(config.positionQuery
      ? { position: initLinear(POSITION_FEATURES, keyDim, rng, { bias: false }) }
      : {}),
  };
}

function gains(config: Pick<WordAttentionConfig, 'valueGain' | 'scoreGain'>, where: string) {
  return {
    valueGain: positiveGain(config.valueGain, 'valueGain', where),
    scoreGain: positiveGain(config.scoreGain, 'scoreGain', where),
  };
}

/** The sizes and settings of `params`. */
export function wordAttentionConfig(params: WordAttentionParams): Required<WordAttentionConfig> {
  const [wordWidth, keyDim] = params.key.weight.shape as [number, number];
  return {
    channels: params.value.weight.shape[1]!,
    wordWidth,
    keyDim,
    valueGain: params.config.valueGain,
    scoreGain: params.config.scoreGain,
    positionQuery: params.position !== undefined,
  };
}

/**
 * What each place reads, `softmax(scoreGain · q(x) · k(words)ᵀ / √keyDim + mask) · v(words)`, before
 * `valueGain`: {@link wordAttentionForward} adds it to `x`, and a place modulation can take it too.
 * @param x `[batch, height, width, channels]`.
 * @param words the caption's word features and mask, `batch` rows.
 * @returns `[batch, height, width, channels]`.
 */
export function wordAttentionRead(
  params: WordAttentionParams,
  x: tf.Tensor,
  words: WordFeatures,
): tf.Tensor4D {
  const { channels, wordWidth, keyDim, scoreGain } = wordAttentionConfig(params);
  const { features, mask } = words;
  checkPlacesOverTokens(WORD_NAMES, x, channels, features, wordWidth, mask);
  const [batch, height, width] = x.shape as [number, number, number, number];
  const count = features.shape[1];
  return tf.tidy(() => {
    const queries = placeQueries(params.query, params.position, x);
    const flatWords = tf.reshape(features, [batch * count, wordWidth]);
    const keys = tf.reshape(linearForward(params.key, flatWords), [batch, count, keyDim]) as tf.Tensor3D;
    const values = tf.reshape(linearForward(params.value, flatWords), [batch, count, channels]);
    const attention = maskedAttention(queries, keys, mask, scoreGain / Math.sqrt(keyDim));
    return tf.reshape(tf.matMul(attention, values), [batch, height, width, channels]) as tf.Tensor4D;
  });
}

/**
 * @param x `[batch, height, width, channels]`.
 * @param words the caption's word features and mask, `batch` rows.
 * @returns `[batch, height, width, channels]`: `x + valueGain · read`.
 */
export function wordAttentionForward(
  params: WordAttentionParams,
  x: tf.Tensor,
  words: WordFeatures,
): tf.Tensor4D {
  const read = wordAttentionRead(params, x, words);
  const { valueGain } = params.config;
  const out = tf.tidy(() => tf.add(x, valueGain === 1 ? read : tf.mul(read, valueGain)) as tf.Tensor4D);
  read.dispose();
  return out;
}

/**
 * Reads `${prefix}query.weight` `[keyDim, channels]`, `${prefix}key.weight` `[keyDim, wordWidth]` and
 * `${prefix}value.weight|bias` `[channels, wordWidth]` / `[channels]` (PyTorch `nn.Linear` layout) and,
 * with `positionQuery`, `${prefix}position.weight` `[keyDim, 4]`.
 * @param options.valueGain, options.scoreGain the block's constant gains (not stored in the dict). Default 1.
 * @param options.positionQuery the block's queries see positions. Default false.
 */
export function loadWordAttentionFromStateDict(
  dict: StateDict,
  prefix: string,
  options: Pick<WordAttentionConfig, 'valueGain' | 'scoreGain' | 'positionQuery'> = {},
): WordAttentionParams {
  return {
    config: gains(options, 'loadWordAttentionFromStateDict'),
    query: loadLinearFromStateDict(dict, `${prefix}query.`),
    key: loadLinearFromStateDict(dict, `${prefix}key.`),
    value: loadLinearFromStateDict(dict, `${prefix}value.`),
    ...(options.positionQuery ? { position: loadLinearFromStateDict(dict, `${prefix}position.`) } : {}),
  };
}

/** Writes the keys {@link loadWordAttentionFromStateDict} reads. */
export function exportWordAttentionToStateDict(
  params: WordAttentionParams,
  prefix: string,
): MutableStateDict {
  return {
    ...exportLinearToStateDict(params.query, `${prefix}query.`),
    ...exportLinearToStateDict(params.key, `${prefix}key.`),
    ...exportLinearToStateDict(params.value, `${prefix}value.`),
    ...(params.position ? exportLinearToStateDict(params.position, `${prefix}position.`) : {}),
  };
}
