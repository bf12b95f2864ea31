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

const PHRASE_NAMES = {
  where: 'phraseAttentionWeights',
  tokens: 'phrase embeddings',
  count: 'phrases',
  mask: 'phrase mask',
};

/**
 * Phrase attention (not in RATLIP): each place of a feature map chooses among the sentence embeddings
 * of its caption's phrases ("a red star at the top" and "a blue circle on the left"), so that a
 * G-block's affines can take, at each place, the modulation of the phrase about that place
 * ({@link PhraseMixture}). A pooled sentence embedding of a caption that names two objects blends their
 * shapes in every affine; an affine driven by one phrase's embedding draws that phrase's object.
 *
 * The weights are `softmax(scoreGain · (q(x) + p(place)) · k(phrase)ᵀ / √keyDim + mask)` over the
 * phrases. The query and place projections start at zero, so every place starts with the mean of its
 * caption's phrase modulations, and a caption of one phrase is modulated exactly as by its sentence.
 */
export interface PhraseAttentionParams {
  readonly config: { readonly scoreGain: number };
  /** Feature map to queries, `[channels, keyDim]`, no bias; starts at zero. */
  readonly query: LinearParams;
  /** Place `(x, y, x², y²)`, `x, y` in [-1, 1] at pixel centres, to queries, `[4, keyDim]`, no bias; starts at zero. */
  readonly position: LinearParams;
  /** Phrase embeddings to keys, `[phraseWidth, keyDim]`, no bias. */
  readonly key: LinearParams;
}

/** Sizes of a phrase attention. */
export interface PhraseAttentionConfig {
  /** Channels of the feature map whose places choose. */
  channels: number;
  /** Width of the phrase embeddings (the sentence embedding's). */
  phraseWidth: number;
  /** Width of queries and keys. */
  keyDim: number;
  /** Constant factor on the scores; with Adam a learning-rate multiplier of the projections. Default 1. */
  scoreGain?: number;
}

/** The phrases of each caption, as sentence embeddings. */
export interface PhraseEmbeddings {
  /** `[batch, phrases, phraseWidth]`, padded with anything where the mask is 0. */
  embeddings: tf.Tensor3D;
  /** `[batch, phrases]`: 1 for a caption's phrases, 0 for padding. Every row needs at least one 1. */
  mask: tf.Tensor2D;
}

/**
 * Zero query and place projections and a PyTorch-default key projection (drawn from `rng`): the
 * weights start uniform over each caption's phrases, and the queries get gradients from the first step.
 */
export function initPhraseAttention(config: PhraseAttentionConfig, rng: SeededRandom): PhraseAttentionParams {
  const { channels, phraseWidth, keyDim } = config;
  assertPositiveInteger(channels, 'initPhraseAttention channels');
  assertPositiveInteger(phraseWidth, 'initPhraseAttention phraseWidth');
  assertPositiveInteger(keyDim, 'initPhraseAttention keyDim');
  return {
    config: { scoreGain: positiveGain(config.scoreGain, 'scoreGain', 'initPhraseAttention') },
    query: { weight: constantVariable([channels, keyDim], 0) },
    position: { weight: constantVariable([POSITION_FEATURES, keyDim], 0) },
    key: initLinear(phraseWidth, keyDim, rng, { bias: false }),
  };
}

/** The sizes and settings of `params`. */
export function phraseAttentionConfig(params: PhraseAttentionParams): Required<PhraseAttentionConfig> {
  const [phraseWidth, keyDim] = params.key.weight.shape as [number, number];
  return {
    channels: params.query.weight.shape[0]!,
    phraseWidth,
    keyDim,
    scoreGain: params.config.scoreGain,
  };
}

/**
 * How much each place takes of each phrase.
 * @param x `[batch, height, width, channels]`.
 * @param phrases the captions' phrase embeddings and mask, `batch` rows.
 * @returns `[batch, height, width, phrases]`, summing to 1 over the phrases, 0 on padding.
 */
export function phraseAttentionWeights(
  params: PhraseAttentionParams,
  x: tf.Tensor,
  phrases: PhraseEmbeddings,
): tf.Tensor4D {
  const { channels, phraseWidth, keyDim, scoreGain } = phraseAttentionConfig(params);
  const { embeddings, mask } = phrases;
  checkPlacesOverTokens(PHRASE_NAMES, x, channels, embeddings, phraseWidth, mask);
  const [batch, height, width] = x.shape as [number, number, number, number];
  const count = embeddings.shape[1];
  return tf.tidy(() => {
    const queries = placeQueries(params.query, params.position, x);
    const keys = tf.reshape(linearForward(params.key, tf.reshape(embeddings, [batch * count, phraseWidth])), [
      batch,
      count,
      keyDim,
    ]) as tf.Tensor3D;
    const weights = maskedAttention(queries, keys, mask, scoreGain / Math.sqrt(keyDim));
    return tf.reshape(weights, [batch, height, width, count]) as tf.Tensor4D;
  });
}

/**
 * Reads `${prefix}query.weight` `[keyDim, channels]`, `${prefix}position.weight` `[keyDim, 4]` and
 * `${prefix}key.weight` `[keyDim, phraseWidth]` (PyTorch `nn.Linear` layout).
 * @param options.scoreGain the constant gain (not stored in the dict). Default 1.
 */
export function loadPhraseAttentionFromStateDict(
  dict: StateDict,
  prefix: string,
  options: Pick<PhraseAttentionConfig, 'scoreGain'> = {},
): PhraseAttentionParams {
  return {
    config: { scoreGain: positiveGain(options.scoreGain, 'scoreGain', 'loadPhraseAttentionFromStateDict') },
    query: loadLinearFromStateDict(dict, `${prefix}query.`),
    position: loadLinearFromStateDict(dict, `${prefix}position.`),
    key: loadLinearFromStateDict(dict, `${prefix}key.`),
  };
}

/** Writes the keys {@link loadPhraseAttentionFromStateDict} reads. */
export function exportPhraseAttentionToStateDict(
  params: PhraseAttentionParams,
  prefix: string,
): MutableStateDict {
  return {
    ...exportLinearToStateDict(params.query, `${prefix}query.`),
    ...exportLinearToStateDict(params.position, `${prefix}position.`),
    ...exportLinearToStateDict(params.key, `${prefix}key.`),
  };
}
