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
import { MASKED_SCORE } from './places-over-tokens';
import type { WordFeatures } from './word-attention';

/**
 * Word context (not in RATLIP): a bidirectional multi-head self-attention over a caption's word
 * features, as a residual,
 * `w + valueGain · concat_h(softmax(scoreGain · q_h(w) · k_h(w)ᵀ / √(width / heads) + mask) · v_h(w)) · W_out`.
 * A causal text encoder (CLIP's) gives each word only the words before it: in "a red star on the left
 * and a blue hexagon on the right", the feature of "star" cannot know where its star is, so a
 * generator's word attention cannot find the shape that belongs to a place. After this layer each word
 * also reads the words after it.
 *
 * The output projection starts at zero, so the layer starts as the identity and can be added to a
 * trained generator. The query projection starts at zero too, so the attention starts uniform: with
 * random queries and a large `scoreGain` every word would begin by reading a few arbitrary others.
 * `valueGain` and `scoreGain` set the pace at which Adam grows the layer, as in word attention.
 */
export interface WordContextParams {
  readonly config: { readonly heads: number; readonly valueGain: number; readonly scoreGain: number };
  /**
   * Word features to queries, `[width, width]`, no bias, starting at zero; head `h` takes columns
   * `h · width / heads` on.
   */
  readonly query: LinearParams;
  /** Word features to keys, `[width, width]`, no bias. */
  readonly key: LinearParams;
  /** Word features to values, `[width, width]` with bias. */
  readonly value: LinearParams;
  /** The heads' concatenated reads back to word features, `[width, width]` with bias; both start at zero. */
  readonly output: LinearParams;
}

/** Sizes of a word-context layer. */
export interface WordContextConfig {
  /** Width of the word features (CLIP's text width, e.g. 512 for ViT-B/32). */
  width: number;
  /** Attention heads; must divide `width`. */
  heads: number;
  /** Constant factor on the output projection; with Adam a learning-rate multiplier for it. Default 1. */
  valueGain?: number;
  /**
   * Constant factor on the attention scores; with Adam a learning-rate multiplier for where the
   * attention looks (at the initial scale the attention is nearly uniform). Default 1.
   */
  scoreGain?: number;
}

function checkSettings(config: Omit<WordContextConfig, 'width'>, where: string) {
  assertPositiveInteger(config.heads, `${where} heads`);
  return {
    heads: config.heads,
    valueGain: positiveGain(config.valueGain, 'valueGain', where),
    scoreGain: positiveGain(config.scoreGain, 'scoreGain', where),
  };
}

function checkHeads(width: number, heads: number, where: string): void {
  if (width % heads !== 0) {
    throw new Error(`${where}: heads (${heads}) must divide the word width (${width})`);
  }
}

/**
 * PyTorch-default initialisation of the key and value projections (drawn from `rng` in that order), and
 * zero query and output projections, so the layer starts as the identity with uniform attention.
 */
export function initWordContext(config: WordContextConfig, rng: SeededRandom): WordContextParams {
  const { width } = config;
  assertPositiveInteger(width, 'initWordContext width');
  const settings = checkSettings(config, 'initWordContext');
  checkHeads(width, settings.heads, 'initWordContext');
  return {
    config: settings,
    query: { weight: constantVariable([width, width], 0) },
    key: initLinear(width, width, rng, { bias: false }),
    value: initLinear(width, width, rng),
    output: { weight: constantVariable([width, width], 0), bias: constantVariable([width], 0) },
  };
}

/** The sizes and settings of `params`. */
export function wordContextConfig(params: WordContextParams): Required<WordContextConfig> {
  return { width: params.output.weight.shape[1]!, ...params.config };
}

/** `[batch * words, width]` to `[batch, heads, words, width / heads]`. */
function splitHeads(flat: tf.Tensor, batch: number, words: number, heads: number): tf.Tensor4D {
  const width = flat.shape[1]!;
  return tf.transpose(tf.reshape(flat, [batch, words, heads, width / heads]), [0, 2, 1, 3]);
}

/**
 * @param words the caption's word features `[batch, words, width]` and mask `[batch, words]`; padded
 *   words are never read, and their own features come out changed but stay masked.
 * @returns the same mask with new features `[batch, words, width]` (the caller disposes them).
 */
export function wordContextForward(params: WordContextParams, words: WordFeatures): WordFeatures {
  const { width, heads, valueGain, scoreGain } = wordContextConfig(params);
  const { features, mask } = words;
  if (features.rank !== 3 || features.shape[2] !== width) {
    throw new Error(
      `wordContextForward: word features must be [batch, words, ${width}], got [${features.shape.join(', ')}]`,
    );
  }
  const [batch, count] = features.shape;
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== count) {
    throw new Error(
      `wordContextForward: word mask must be [${batch}, ${count}], got [${mask.shape.join(', ')}]`,
    );
  }
  const refined = tf.tidy(() => {
    const flat = tf.reshape(features, [batch * count, width]);
    const queries = splitHeads(linearForward(params.query, flat), batch, count, heads);
    const keys = splitHeads(linearForward(params.key, flat), batch, count, heads);
    const values = splitHeads(linearForward(params.value, flat), batch, count, heads);
    const scores = tf.mul(tf.matMul(queries, keys, false, true), scoreGain / Math.sqrt(width / heads));
    const padding = tf.reshape(tf.mul(tf.sub(1, mask), MASKED_SCORE), [batch, 1, 1, count]);
    const read = tf.matMul(tf.softmax(tf.add(scores, padding)), values);
    const joined = tf.reshape(tf.transpose(read, [0, 2, 1, 3]), [batch * count, width]);
    const update = linearForward(params.output, joined);
    const scaled = valueGain === 1 ? update : tf.mul(update, valueGain);
    return tf.add(features, tf.reshape(scaled, [batch, count, width])) as tf.Tensor3D;
  });
  return { features: refined, mask };
}

/**
 * Reads `${prefix}query.weight`, `${prefix}key.weight` `[width, width]` and `${prefix}value.weight|bias`,
 * `${prefix}output.weight|bias` (PyTorch `nn.Linear` layout).
 * @param options the layer's heads and constant gains (not stored in the dict).
 */
export function loadWordContextFromStateDict(
  dict: StateDict,
  prefix: string,
  options: Omit<WordContextConfig, 'width'>,
): WordContextParams {
  const settings = checkSettings(options, 'loadWordContextFromStateDict');
  const params: WordContextParams = {
    config: settings,
    query: loadLinearFromStateDict(dict, `${prefix}query.`),
    key: loadLinearFromStateDict(dict, `${prefix}key.`),
    value: loadLinearFromStateDict(dict, `${prefix}value.`),
    output: loadLinearFromStateDict(dict, `${prefix}output.`),
  };
  checkHeads(params.output.weight.shape[1]!, settings.heads, `loadWordContextFromStateDict ${prefix}`);
  return params;
}

/** Writes the keys {@link loadWordContextFromStateDict} reads. */
export function exportWordContextToStateDict(params: WordContextParams, prefix: string): MutableStateDict {
  return {
    ...exportLinearToStateDict(params.query, `${prefix}query.`),
    ...exportLinearToStateDict(params.key, `${prefix}key.`),
    ...exportLinearToStateDict(params.value, `${prefix}value.`),
    ...exportLinearToStateDict(params.output, `${prefix}output.`),
  };
}
