import type { SeededRandom } from '@ratlip/runtime';
import { leakyRelu } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  type Conv2dParams,
  conv2dForward,
  exportConv2dToStateDict,
  initConv2d,
  loadConv2dFromStateDict,
} from '../core/conv2d';
import { constantVariable } from '../core/pytorch-init';
import {
  type MutableStateDict,
  mergeStateDicts,
  type StateDict,
  stateDictHas,
  stateDictTensor,
  variableFrom,
} from '../core/state-dict';

/** Hyperparameters of a D-block that a state dict does not hold. */
export interface DBlockConfig {
  /** Leaky ReLU slope after each conv. Default 0.2. */
  readonly slope: number;
}

/**
 * The discriminator block of GALIP/RATLIP (`D_Block`): res = lrelu(conv(lrelu(conv(x)))) with two k x k
 * convs without bias; output = shortcut(x) + gamma * res (+ beta * clipFeature), where the shortcut is a
 * 1x1 conv with bias only when in != out and gamma/beta are learnable scalars initialised to 0.
 * Every op is twice differentiable (the leaky ReLU is `@ratlip/runtime`'s), so a gradient penalty (MA-GP)
 * can differentiate its input gradient.
 * State-dict keys: `conv_r.0.weight`, `conv_r.2.weight`, `conv_s.weight|bias`, `gamma`, `beta`.
 */
export interface DBlockParams {
  readonly config: DBlockConfig;
  /** `conv_r.0`: `[k, k, in, out]`, no bias. */
  readonly conv0: Conv2dParams;
  /** `conv_r.2`: `[k, k, out, out]`, no bias. */
  readonly conv1: Conv2dParams;
  /** `conv_s`: 1x1 with bias. Used only when in != out; the official blocks also hold an unused one when in == out. */
  readonly shortcut?: Conv2dParams;
  /** `[1]`: residual scale; absent when the block has no residual (`res=False`). */
  readonly gamma?: tf.Tensor;
  /** `[1]`: CLIP-feature scale; present only for blocks that add a CLIP feature (`CLIP_feat=True`). */
  readonly beta?: tf.Tensor;
}

/** Sizes and options of {@link initDBlock}. */
export interface DBlockInitConfig {
  inChannels: number;
  outChannels: number;
  /** Kernel size of the two residual convs. Default 3. */
  kernelSize?: number;
  /** Stride of the residual convs. Default 1. */
  stride?: number;
  /** Padding of the residual convs. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** Add `gamma * res`. Default true. */
  residual?: boolean;
  /** Add `beta * clipFeature`. Default true. */
  clipFeature?: boolean;
  /** Leaky ReLU slope. Default 0.2. */
  slope?: number;
  /**
   * Also create the 1x1 shortcut conv when in == out, where it is never used (the official module does,
   * so its state dict has `conv_s.*`). Default true.
   */
  unusedShortcut?: boolean;
}

/** PyTorch-default convs, gamma = beta = 0. */
export function initDBlock(config: DBlockInitConfig, rng: SeededRandom): DBlockParams {
  const convOptions = {
    kernelSize: config.kernelSize,
    stride: config.stride,
    padding: config.padding,
    bias: false,
  };
  const conv0 = initConv2d(config.inChannels, config.outChannels, rng, convOptions);
  const conv1 = initConv2d(config.outChannels, config.outChannels, rng, convOptions);
  const wantShortcut = config.inChannels !== config.outChannels || config.unusedShortcut !== false;
  return {
    config: { slope: config.slope ?? 0.2 },
    conv0,
    conv1,
    ...(wantShortcut
      ? { shortcut: initConv2d(config.inChannels, config.outChannels, rng, { kernelSize: 1 }) }
      : {}),
    ...(config.residual !== false ? { gamma: constantVariable([1], 0) } : {}),
    ...(config.clipFeature !== false ? { beta: constantVariable([1], 0) } : {}),
  };
}

/** Whether the block's shortcut conv is applied (in != out). */
export function dBlockHasLearnedShortcut(params: DBlockParams): boolean {
  return params.conv0.kernel.shape[2] !== params.conv0.kernel.shape[3];
}

/** The residual branch `lrelu(conv(lrelu(conv(x))))`, `[batch, height', width', out]`. */
export function dBlockResidual(params: DBlockParams, x: tf.Tensor): tf.Tensor4D {
  const { slope } = params.config;
  return tf.tidy(() =>
    leakyRelu(conv2dForward(params.conv1, leakyRelu(conv2dForward(params.conv0, x), slope)), slope),
  );
}

/**
 * @param x `[batch, height, width, in]`.
 * @param clipFeature `[batch, height, width, out]`, required when the block has `beta`.
 * @returns `[batch, height, width, out]`.
 */
export function dBlockForward(params: DBlockParams, x: tf.Tensor, clipFeature?: tf.Tensor): tf.Tensor4D {
  if (params.beta && !clipFeature) {
    throw new Error(
      'dBlockForward: this block adds beta * clipFeature; pass clipFeature [batch, height, width, out]',
    );
  }
  const learned = dBlockHasLearnedShortcut(params);
  if (learned && !params.shortcut) {
    throw new Error('dBlockForward: in != out but the block has no shortcut conv (conv_s)');
  }
  return tf.tidy(() => {
    let out: tf.Tensor = learned ? conv2dForward(params.shortcut!, x) : x;
    if (params.gamma) out = tf.add(out, tf.mul(params.gamma, dBlockResidual(params, x)));
    if (params.beta && clipFeature) out = tf.add(out, tf.mul(params.beta, clipFeature));
    return (out === x ? tf.clone(x) : out) as tf.Tensor4D;
  });
}

/** Options of {@link loadDBlockFromStateDict}. */
export interface DBlockLoadOptions {
  /** Stride of the residual convs in pixels. Default 1. */
  stride?: number;
  /** Padding of the residual convs in pixels. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** Leaky ReLU slope. Default 0.2. */
  slope?: number;
}

/** Reads the official `D_Block` keys under `prefix`; `gamma`/`beta`/`conv_s` are optional. */
export function loadDBlockFromStateDict(
  dict: StateDict,
  prefix: string,
  options: DBlockLoadOptions = {},
): DBlockParams {
  const convConfig = { stride: options.stride, padding: options.padding };
  const scalar = (key: string) => variableFrom(stateDictTensor(dict, key, [1]));
  return {
    config: { slope: options.slope ?? 0.2 },
    conv0: loadConv2dFromStateDict(dict, `${prefix}conv_r.0.`, convConfig),
    conv1: loadConv2dFromStateDict(dict, `${prefix}conv_r.2.`, convConfig),
    ...(stateDictHas(dict, `${prefix}conv_s.weight`)
      ? { shortcut: loadConv2dFromStateDict(dict, `${prefix}conv_s.`, { padding: 0 }) }
      : {}),
    ...(stateDictHas(dict, `${prefix}gamma`) ? { gamma: scalar(`${prefix}gamma`) } : {}),
    ...(stateDictHas(dict, `${prefix}beta`) ? { beta: scalar(`${prefix}beta`) } : {}),
  };
}

/** Writes the official `D_Block` keys. */
export function exportDBlockToStateDict(params: DBlockParams, prefix: string): MutableStateDict {
  const parts = [
    exportConv2dToStateDict(params.conv0, `${prefix}conv_r.0.`),
    exportConv2dToStateDict(params.conv1, `${prefix}conv_r.2.`),
  ];
  if (params.shortcut) parts.push(exportConv2dToStateDict(params.shortcut, `${prefix}conv_s.`));
  const scalars: MutableStateDict = {};
  if (params.gamma) scalars[`${prefix}gamma`] = tf.clone(params.gamma);
  if (params.beta) scalars[`${prefix}beta`] = tf.clone(params.beta);
  return mergeStateDicts(...parts, scalars);
}
