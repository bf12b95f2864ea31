import * as tf from '@tensorflow/tfjs';
import { constantVariable } from '../core/pytorch-init';
import { type MutableStateDict, type StateDict, stateDictTensor, variableFrom } from '../core/state-dict';

/** Number of groups of the reference ShuffleAttention (fightingcv `G`). */
export const SHUFFLE_ATTENTION_GROUPS = 8;

/** GroupNorm epsilon of the spatial branch (PyTorch default). */
export const SHUFFLE_ATTENTION_EPS = 1e-5;

/**
 * Shuffle attention (SA-Net) on `[batch, height, width, channels]`: `groups` contiguous channel blocks,
 * each split in halves of `channels / (2 * groups)`; the first half is gated by its global average
 * (channel gate), the second by its per-channel instance norm (spatial gate); then a two-group channel
 * shuffle. Every vector below is `[channels / (2 * groups)]` and shared by all groups, so the group count
 * is `channels / (2 * cweight.size)`.
 */
export interface ShuffleAttentionParams {
  /** Channel-gate scale, init 0. PyTorch `cweight` `[1, C/2G, 1, 1]`. */
  readonly cweight: tf.Tensor;
  /** Channel-gate shift, init 1. PyTorch `cbias`. */
  readonly cbias: tf.Tensor;
  /** Spatial-gate scale, init 0. PyTorch `sweight`. */
  readonly sweight: tf.Tensor;
  /** Spatial-gate shift, init 1. PyTorch `sbias`. */
  readonly sbias: tf.Tensor;
  /** Instance-norm affine weight, init 1. PyTorch `gn.weight` `[C/2G]`. */
  readonly gnWeight: tf.Tensor;
  /** Instance-norm affine bias, init 0. PyTorch `gn.bias`. */
  readonly gnBias: tf.Tensor;
}

function halfGroupChannels(channels: number, groups: number): number {
  if (!Number.isInteger(channels) || channels % (2 * groups) !== 0 || channels < 2 * groups) {
    throw new Error(
      `shuffle attention: channels (${channels}) must be a positive multiple of 2 * groups (${2 * groups})`,
    );
  }
  return channels / (2 * groups);
}

/**
 * The reference initialisation: cweight = sweight = 0, cbias = sbias = 1 (both gates start at sigmoid(1)),
 * norm weight 1 and bias 0. Deterministic, so no random generator is needed.
 * @param groups default 8.
 */
export function initShuffleAttention(
  channels: number,
  groups = SHUFFLE_ATTENTION_GROUPS,
): ShuffleAttentionParams {
  const half = halfGroupChannels(channels, groups);
  return {
    cweight: constantVariable([half], 0),
    cbias: constantVariable([half], 1),
    sweight: constantVariable([half], 0),
    sbias: constantVariable([half], 1),
    gnWeight: constantVariable([half], 1),
    gnBias: constantVariable([half], 0),
  };
}

/**
 * @param x `[batch, height, width, channels]`, channels = 2 * groups * cweight.size.
 * @returns same shape.
 */
export function shuffleAttentionForward(params: ShuffleAttentionParams, x: tf.Tensor): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const half = params.cweight.shape[0]!;
  if (x.rank !== 4 || channels % (2 * half) !== 0) {
    throw new Error(
      `shuffleAttentionForward: x must be [batch, height, width, channels] with channels a multiple of ${2 * half}, got [${x.shape.join(', ')}]`,
    );
  }
  const groups = channels / (2 * half);
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [batch, height * width, groups, 2 * half]);
    // Both gates are computed on the whole group with per-position vectors that are zero (or one) on
    // the half a gate does not apply to, instead of splitting and re-concatenating the halves: the
    // same values (adding exact zeros), without the strided copies that dominate on wasm.
    const zeros = tf.zeros([half]);
    const ones = tf.ones([half]);
    const channelScale = tf.concat([params.cweight, zeros]);
    const spatialScale = tf.concat([zeros, params.sweight]);
    const gateShift = tf.concat([params.cbias, params.sbias]);
    const normWeight = tf.concat([ones, params.gnWeight]);
    const normBias = tf.concat([zeros, params.gnBias]);

    // GroupNorm with one channel per group is an instance norm over the spatial axis; its mean is also
    // the channel gate's average pool.
    const { mean, variance } = tf.moments(grouped, 1, true);
    const inverseStd = tf.rsqrt(tf.add(variance, SHUFFLE_ATTENTION_EPS));
    // logits = mean * channelScale + ((grouped - mean) * inverseStd * normWeight + normBias) * spatialScale
    //        + gateShift, regrouped as grouped * scale + offset: the per-(sample, group) coefficients are
    // small, so the full-size tensor sees one multiply and one add instead of six operations.
    const scale = tf.mul(tf.mul(inverseStd, normWeight), spatialScale);
    const offset = tf.add(
      tf.add(tf.mul(mean, tf.sub(channelScale, scale)), tf.mul(normBias, spatialScale)),
      gateShift,
    );
    const gated = tf.mul(grouped, tf.sigmoid(tf.add(tf.mul(grouped, scale), offset)));
    // Channel shuffle with two groups: output channel 2k + g is input channel g * C/2 + k.
    const split = tf.reshape(gated, [batch * height * width, 2, channels / 2]);
    return tf.reshape(tf.transpose(split, [0, 2, 1]), [batch, height, width, channels]) as tf.Tensor4D;
  });
}

const VECTOR_KEYS = ['cweight', 'cbias', 'sweight', 'sbias'] as const;

/** Reads `${prefix}cweight|cbias|sweight|sbias` (`[1, C/2G, 1, 1]`) and `${prefix}gn.weight|bias` (`[C/2G]`). */
export function loadShuffleAttentionFromStateDict(dict: StateDict, prefix: string): ShuffleAttentionParams {
  const half = stateDictTensor(dict, `${prefix}cweight`, [1, -1, 1, 1]).shape[1]!;
  const vector = (key: string) =>
    variableFrom(tf.reshape(stateDictTensor(dict, key, [1, half, 1, 1]), [half]));
  const [cweight, cbias, sweight, sbias] = tf.tidy(() => VECTOR_KEYS.map((key) => vector(`${prefix}${key}`)));
  return {
    cweight: cweight!,
    cbias: cbias!,
    sweight: sweight!,
    sbias: sbias!,
    gnWeight: variableFrom(stateDictTensor(dict, `${prefix}gn.weight`, [half])),
    gnBias: variableFrom(stateDictTensor(dict, `${prefix}gn.bias`, [half])),
  };
}

/** Writes the six official ShuffleAttention keys in PyTorch layout. */
export function exportShuffleAttentionToStateDict(
  params: ShuffleAttentionParams,
  prefix: string,
): MutableStateDict {
  const half = params.cweight.shape[0]!;
  const out: MutableStateDict = {};
  for (const key of VECTOR_KEYS) out[`${prefix}${key}`] = tf.reshape(params[key], [1, half, 1, 1]);
  out[`${prefix}gn.weight`] = tf.clone(params.gnWeight);
  out[`${prefix}gn.bias`] = tf.clone(params.gnBias);
  return out;
}
