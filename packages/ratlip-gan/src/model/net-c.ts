import {
  type Conv2dParams,
  conv2dForward,
  exportConv2dToStateDict,
  initConv2d,
  loadConv2dFromStateDict,
  type MutableStateDict,
  mergeStateDicts,
  type StateDict,
} from '@ratlip/rat-blocks';
import { leakyRelu, type SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../config/config-schema';

/** Slope of NetC's leaky ReLU. */
const NET_C_SLOPE = 0.2;

/**
 * The official `NetC`: the sentence tiled over the grid and concatenated after NetD's channels, then
 * conv k1 (valid, no bias) -> leaky ReLU 0.2 -> conv k2 (valid, no bias) to one logit per image.
 * State-dict keys `joint_conv.0.weight`, `joint_conv.2.weight`.
 */
export interface NetCParams {
  readonly joint0: Conv2dParams;
  readonly joint1: Conv2dParams;
}

/** PyTorch-default initialisation. */
export function initNetC(config: ResolvedRatlipConfig, rng: SeededRandom): NetCParams {
  const [k1, k2] = config.discriminator.netCKernels;
  const inChannels = config.discriminator.outChannels + config.clip.text.embedDim;
  const hidden = config.discriminator.netCHiddenChannels;
  return {
    joint0: initConv2d(inChannels, hidden, rng, { kernelSize: k1, padding: 0, bias: false }),
    joint1: initConv2d(hidden, 1, rng, { kernelSize: k2, padding: 0, bias: false }),
  };
}

/**
 * @param features NetD's output `[batch, grid, grid, channels]`.
 * @param sentence `[batch, sentenceDim]`.
 * @returns logits `[batch, 1, 1, 1]`. Twice differentiable (MA-GP).
 */
export function netCForward(params: NetCParams, features: tf.Tensor, sentence: tf.Tensor): tf.Tensor4D {
  const [batch, height, width, channels] = features.shape;
  const expected = params.joint0.kernel.shape[2]! - channels!;
  if (
    features.rank !== 4 ||
    sentence.rank !== 2 ||
    sentence.shape[0] !== batch ||
    sentence.shape[1] !== expected
  ) {
    throw new Error(
      `NetC: expected features [batch, grid, grid, C] and sentence [batch, ${expected}], got ` +
        `[${features.shape.join(', ')}] and [${sentence.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const tiled = tf.tile(tf.reshape(sentence, [batch!, 1, 1, expected]), [1, height!, width!, 1]);
    const joint = tf.concat([features, tiled], 3);
    return conv2dForward(params.joint1, leakyRelu(conv2dForward(params.joint0, joint), NET_C_SLOPE));
  });
}

/** Reads the official `NetC` keys. */
export function loadNetCFromStateDict(dict: StateDict): NetCParams {
  return {
    joint0: loadConv2dFromStateDict(dict, 'joint_conv.0.', { padding: 0 }),
    joint1: loadConv2dFromStateDict(dict, 'joint_conv.2.', { padding: 0 }),
  };
}

/** Writes the official `NetC` keys (new tensors the caller disposes). */
export function exportNetCToStateDict(params: NetCParams): MutableStateDict {
  return mergeStateDicts(
    exportConv2dToStateDict(params.joint0, 'joint_conv.0.'),
    exportConv2dToStateDict(params.joint1, 'joint_conv.2.'),
  );
}
