import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger, pytorchDefaultBound, uniformVariable } from './pytorch-init';
import {
  type MutableStateDict,
  type StateDict,
  stateDictHas,
  stateDictTensor,
  variableFrom,
} from './state-dict';

/** Stride and zero padding of a 2-D convolution, PyTorch style (symmetric padding in pixels). */
export interface Conv2dConfig {
  /** Stride in pixels, both axes. Default 1. */
  readonly stride: number;
  /** Zero padding in pixels added on every side. Default `floor(kernelSize / 2)`. */
  readonly padding: number;
}

/**
 * A 2-D convolution over channels-last activations. PyTorch stores `[out, in, kh, kw]`; the kernel here
 * is `[kh, kw, in, out]`.
 */
export interface Conv2dParams {
  readonly config: Conv2dConfig;
  /** `[kh, kw, in, out]`. */
  readonly kernel: tf.Tensor;
  /** `[out]`; absent for bias-free convolutions. */
  readonly bias?: tf.Tensor;
}

/** Options of {@link initConv2d}. */
export interface Conv2dInitOptions {
  /** Square kernel size in pixels. Default 3. */
  kernelSize?: number;
  /** Stride in pixels. Default 1. */
  stride?: number;
  /** Zero padding in pixels on every side. Default `floor(kernelSize / 2)`. */
  padding?: number;
  /** Create a bias. Default true. */
  bias?: boolean;
}

/** PyTorch default initialisation (kaiming-uniform a=sqrt(5), uniform bias), drawn from `rng`. */
export function initConv2d(
  inChannels: number,
  outChannels: number,
  rng: SeededRandom,
  options: Conv2dInitOptions = {},
): Conv2dParams {
  const kernelSize = options.kernelSize ?? 3;
  assertPositiveInteger(inChannels, 'initConv2d inChannels');
  assertPositiveInteger(outChannels, 'initConv2d outChannels');
  assertPositiveInteger(kernelSize, 'initConv2d kernelSize');
  const config: Conv2dConfig = {
    stride: options.stride ?? 1,
    padding: options.padding ?? Math.floor(kernelSize / 2),
  };
  const bound = pytorchDefaultBound(inChannels * kernelSize * kernelSize);
  const kernel = uniformVariable(rng, [kernelSize, kernelSize, inChannels, outChannels], bound);
  if (options.bias === false) return { config, kernel };
  return { config, kernel, bias: uniformVariable(rng, [outChannels], bound) };
}

/**
 * @param x `[batch, height, width, in]`.
 * @returns `[batch, height', width', out]`.
 */
export function conv2dForward(params: Conv2dParams, x: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const { stride, padding } = params.config;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [padding, padding],
      [padding, padding],
      [0, 0],
    ];
    const y = tf.conv2d(
      x as tf.Tensor4D,
      params.kernel as tf.Tensor4D,
      stride,
      padding === 0 ? 'valid' : pad,
    );
    return params.bias ? tf.add(y, params.bias) : y;
  });
}

/**
 * Reads `${prefix}weight` (`[out, in, kh, kw]`) and optional `${prefix}bias`.
 * @param config stride and padding (not stored in a state dict); default stride 1, padding kh/2.
 */
export function loadConv2dFromStateDict(
  dict: StateDict,
  prefix: string,
  config: Partial<Conv2dConfig> = {},
): Conv2dParams {
  const weight = stateDictTensor(dict, `${prefix}weight`, [-1, -1, -1, -1]);
  const fullConfig: Conv2dConfig = {
    stride: config.stride ?? 1,
    padding: config.padding ?? Math.floor(weight.shape[2]! / 2),
  };
  const kernel = variableFrom(weight, [2, 3, 1, 0]);
  const biasKey = `${prefix}bias`;
  if (!stateDictHas(dict, biasKey)) return { config: fullConfig, kernel };
  return {
    config: fullConfig,
    kernel,
    bias: variableFrom(stateDictTensor(dict, biasKey, [weight.shape[0]!])),
  };
}

/** Writes `${prefix}weight` `[out, in, kh, kw]` (and `${prefix}bias`) as new tensors. */
export function exportConv2dToStateDict(params: Conv2dParams, prefix: string): MutableStateDict {
  const out: MutableStateDict = { [`${prefix}weight`]: tf.transpose(params.kernel, [3, 2, 0, 1]) };
  if (params.bias) out[`${prefix}bias`] = tf.clone(params.bias);
  return out;
}

/** Output channels of a convolution. */
export function conv2dOutChannels(params: Conv2dParams): number {
  return params.kernel.shape[3]!;
}
