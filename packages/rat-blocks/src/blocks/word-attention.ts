import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  exportLinearToStateDict,
  initLinear,
  type LinearParams,
  linearForward,
  loadLinearFromStateDict,
} from '../core/linear';
import { assertPositiveInteger, constantVariable } from '../core/pytorch-init';
import { type MutableStateDict, type StateDict, stateDictTensor, variableFrom } from '../core/state-dict';

/**
 * Word attention (not in RATLIP; the word-level attention of AttnGAN, as a residual with SAGAN's zero gate):
 * every position of a feature map attends over its caption's word features and adds what it reads,
 * `x + gate · softmax(q(x) · k(words)ᵀ / √keyDim + mask) · v(words)`. A pooled sentence embedding
 * blurs which attribute belongs to which object of a caption; each word feature of a causal text
 * encoder (CLIP's) still carries the words before it, so a position can read the phrase meant for it.
 */
export interface WordAttentionParams {
  /** Feature map to queries, `[channels, keyDim]`, no bias. */
  readonly query: LinearParams;
  /** Word features to keys, `[wordWidth, keyDim]`, no bias. */
  readonly key: LinearParams;
  /** Word features to values, `[wordWidth, channels]` with bias. */
  readonly value: LinearParams;
  /** Per-channel weight of the attended values, `[channels]`, init 0: the block starts as the identity. */
  readonly gate: tf.Tensor;
}

/** Sizes of a word-attention block. */
export interface WordAttentionConfig {
  /** Channels of the feature map it reads and writes. */
  channels: number;
  /** Width of the word features (CLIP's text width, e.g. 512 for ViT-B/32). */
  wordWidth: number;
  /** Width of queries and keys. */
  keyDim: number;
}

/** The caption side of {@link wordAttentionForward}. */
export interface WordFeatures {
  /** Per-token features `[batch, words, wordWidth]` (e.g. CLIP's text tokens after `ln_final`). */
  features: tf.Tensor3D;
  /** `[batch, words]`: 1 for the tokens to attend to, 0 for padding. Every row needs at least one 1. */
  mask: tf.Tensor2D;
}

/** Masked-out scores: far below any real score, yet `exp` of it minus the row maximum stays finite. */
const MASKED_SCORE = -1e9;

/**
 * PyTorch-default initialisation of the projections (drawn from `rng` in the order query, key, value)
 * and a zero gate, so adding the block to a trained generator leaves its output unchanged.
 */
export function initWordAttention(config: WordAttentionConfig, rng: SeededRandom): WordAttentionParams {
  const { channels, wordWidth, keyDim } = config;
  assertPositiveInteger(channels, 'initWordAttention channels');
  assertPositiveInteger(wordWidth, 'initWordAttention wordWidth');
  assertPositiveInteger(keyDim, 'initWordAttention keyDim');
  return {
    query: initLinear(channels, keyDim, rng, { bias: false }),
    key: initLinear(wordWidth, keyDim, rng, { bias: false }),
    value: initLinear(wordWidth, channels, rng),
    gate: constantVariable([channels], 0),
  };
}

/** The sizes of `params`. */
export function wordAttentionConfig(params: WordAttentionParams): WordAttentionConfig {
  const [wordWidth, keyDim] = params.key.weight.shape as [number, number];
  return { channels: params.gate.shape[0]!, wordWidth, keyDim };
}

/**
 * @param x `[batch, height, width, channels]`.
 * @param words the caption's word features and mask, `batch` rows.
 * @returns `[batch, height, width, channels]`.
 */
export function wordAttentionForward(
  params: WordAttentionParams,
  x: tf.Tensor,
  words: WordFeatures,
): tf.Tensor4D {
  const { channels, wordWidth, keyDim } = wordAttentionConfig(params);
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
    const queries = tf.reshape(linearForward(params.query, positions), [batch, height * width, keyDim]);
    const flatWords = tf.reshape(features, [batch * count, wordWidth]);
    const keys = tf.reshape(linearForward(params.key, flatWords), [batch, count, keyDim]);
    const values = tf.reshape(linearForward(params.value, flatWords), [batch, count, channels]);
    const scores = tf.mul(tf.matMul(queries, keys, false, true), 1 / Math.sqrt(keyDim));
    const padding = tf.reshape(tf.mul(tf.sub(1, mask), MASKED_SCORE), [batch, 1, count]);
    const attention = tf.softmax(tf.add(scores, padding));
    const read = tf.reshape(tf.matMul(attention, values), [batch, height, width, channels]);
    return tf.add(x, tf.mul(read, params.gate)) as tf.Tensor4D;
  });
}

/**
 * Reads `${prefix}query.weight` `[keyDim, channels]`, `${prefix}key.weight` `[keyDim, wordWidth]`,
 * `${prefix}value.weight|bias` `[channels, wordWidth]` / `[channels]` and `${prefix}gate` `[channels]`
 * (PyTorch `nn.Linear` layout).
 */
export function loadWordAttentionFromStateDict(dict: StateDict, prefix: string): WordAttentionParams {
  const value = loadLinearFromStateDict(dict, `${prefix}value.`);
  const channels = value.weight.shape[1]!;
  return {
    query: loadLinearFromStateDict(dict, `${prefix}query.`),
    key: loadLinearFromStateDict(dict, `${prefix}key.`),
    value,
    gate: variableFrom(stateDictTensor(dict, `${prefix}gate`, [channels])),
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
    [`${prefix}gate`]: tf.clone(params.gate),
  };
}
