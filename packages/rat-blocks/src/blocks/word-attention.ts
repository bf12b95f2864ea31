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

/** Features of each position's place that {@link WordAttentionParams.position} projects. */
export const POSITION_FEATURES = 4;

/** The caption side of {@link wordAttentionForward}. */
export interface WordFeatures {
  /** Per-token features `[batch, words, wordWidth]` (e.g. CLIP's text tokens after `ln_final`). */
  features: tf.Tensor3D;
  /** `[batch, words]`: 1 for the tokens to attend to, 0 for padding. Every row needs at least one 1. */
  mask: tf.Tensor2D;
}

/** Masked-out scores: far below any real score, yet `exp` of it minus the row maximum stays finite. */
export const MASKED_SCORE = -1e9;

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

/** `[height * width, 4]`: `(x, y, x², y²)` of each position, row-major, `x, y` in [-1, 1] at pixel centres. */
export function positionFeatures(height: number, width: number): tf.Tensor2D {
  const values = new Float32Array(height * width * POSITION_FEATURES);
  for (let row = 0; row < height; row++) {
    const y = (2 * row + 1) / height - 1;
    for (let column = 0; column < width; column++) {
      const x = (2 * column + 1) / width - 1;
      values.set([x, y, x * x, y * y], (row * width + column) * POSITION_FEATURES);
    }
  }
  return tf.tensor2d(values, [height * width, POSITION_FEATURES]);
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
  const [batch, height, width] = x.shape as [number, number, number, number];
  const { features, mask } = words;
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new Error(
      `wordAttentionForward: x must be [batch, height, width, ${channels}], got [${x.shape.join(', ')}]`,
    );
  }
  if (features.rank !== 3 || features.shape[0] !== batch || features.shape[2] !== wordWidth) {
    throw new Error(
      `wordAttentionForward: word features must be [${batch}, words, ${wordWidth}], got [${features.shape.join(', ')}]`,
    );
  }
  const count = features.shape[1];
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== count) {
    throw new Error(
      `wordAttentionForward: word mask must be [${batch}, ${count}], got [${mask.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const positions = tf.reshape(x, [batch * height * width, channels]);
    const contentQueries = tf.reshape(linearForward(params.query, positions), [
      batch,
      height * width,
      keyDim,
    ]);
    const queries = params.position
      ? tf.add(contentQueries, linearForward(params.position, positionFeatures(height, width)))
      : contentQueries;
    const flatWords = tf.reshape(features, [batch * count, wordWidth]);
    const keys = tf.reshape(linearForward(params.key, flatWords), [batch, count, keyDim]);
    const values = tf.reshape(linearForward(params.value, flatWords), [batch, count, channels]);
    const scores = tf.mul(tf.matMul(queries, keys, false, true), scoreGain / Math.sqrt(keyDim));
    const padding = tf.reshape(tf.mul(tf.sub(1, mask), MASKED_SCORE), [batch, 1, count]);
    const attention = tf.softmax(tf.add(scores, padding));
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
