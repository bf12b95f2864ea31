import * as tf from '@tensorflow/tfjs';
import {
  exportLinearToStateDict,
  type LinearParams,
  linearForward,
  loadLinearFromStateDict,
} from '../core/linear';
import { assertPositiveInteger, constantVariable, positiveGain } from '../core/pytorch-init';
import type { MutableStateDict, StateDict } from '../core/state-dict';
import type { GBlockPlaces } from './g-block';
import type { PlaceModulation } from './modulation';

/**
 * Place modulation (not in RATLIP): a G-block's four affines get a scale and a shift that vary with the
 * place, linear in a feature map read there (e.g. what word attention read at each place), added to the
 * per-channel ones that RAT or the plain affines predict from the sentence:
 * `(gamma + gain · W_scale r) · x + beta + gain · W_shift r`. The pooled sentence embedding modulates
 * every place alike, so with two objects in a caption it can only blend their shapes; this gives each
 * place the modulation of what is there, as SPADE does with a layout.
 *
 * Every projection starts at zero, so adding it to a trained generator changes nothing until trained;
 * `gain` multiplies their pace under Adam, as word attention's `valueGain`.
 */
export interface PlaceModulationParams {
  readonly config: { readonly gain: number };
  /**
   * Read features to `[scale | shift]` of `fuse1.affine0`, `fuse1.affine1` (`[readWidth, 2 · in]`),
   * `fuse2.affine0` and `fuse2.affine1` (`[readWidth, 2 · out]`), with biases; all start at zero.
   */
  readonly heads: readonly [LinearParams, LinearParams, LinearParams, LinearParams];
}

/** Sizes of a place modulation. */
export interface PlaceModulationConfig {
  /** Channels of the feature map read at each place. */
  readWidth: number;
  /** Input channels of the G-block (its `fuse1` affines). */
  inChannels: number;
  /** Output channels of the G-block (its `fuse2` affines). */
  outChannels: number;
  /** Constant factor on the scales and shifts; with Adam a learning-rate multiplier. Default 1. */
  gain?: number;
}

/** State-dict names of the four heads, in order. */
const HEAD_NAMES = ['fuse1_affine0', 'fuse1_affine1', 'fuse2_affine0', 'fuse2_affine1'] as const;

function zeroHead(readWidth: number, channels: number): LinearParams {
  return {
    weight: constantVariable([readWidth, 2 * channels], 0),
    bias: constantVariable([2 * channels], 0),
  };
}

/** Zero projections: the G-block's affines modulate as before until training moves them. */
export function initPlaceModulation(config: PlaceModulationConfig): PlaceModulationParams {
  const { readWidth, inChannels, outChannels } = config;
  assertPositiveInteger(readWidth, 'initPlaceModulation readWidth');
  assertPositiveInteger(inChannels, 'initPlaceModulation inChannels');
  assertPositiveInteger(outChannels, 'initPlaceModulation outChannels');
  return {
    config: { gain: positiveGain(config.gain, 'gain', 'initPlaceModulation') },
    heads: [
      zeroHead(readWidth, inChannels),
      zeroHead(readWidth, inChannels),
      zeroHead(readWidth, outChannels),
      zeroHead(readWidth, outChannels),
    ],
  };
}

/** The sizes and gain of `params`. */
export function placeModulationConfig(params: PlaceModulationParams): Required<PlaceModulationConfig> {
  const [first, , third] = params.heads;
  return {
    readWidth: first.weight.shape[0]!,
    inChannels: first.weight.shape[1]! / 2,
    outChannels: third.weight.shape[1]! / 2,
    gain: params.config.gain,
  };
}

/**
 * @param read `[batch, height, width, readWidth]`, at the G-block's upsampled size.
 * @returns the place modulations of the G-block's four affines (the caller disposes them), e.g. for
 *   `gBlockForward(block, x, cond, { places })`.
 */
export function placeModulationForward(params: PlaceModulationParams, read: tf.Tensor): GBlockPlaces {
  const { readWidth, gain } = placeModulationConfig(params);
  if (read.rank !== 4 || read.shape[3] !== readWidth) {
    throw new Error(
      `placeModulationForward: read must be [batch, height, width, ${readWidth}], got [${read.shape.join(', ')}]`,
    );
  }
  const [batch, height, width] = read.shape as [number, number, number, number];
  const [first, second, third, fourth] = params.heads.map((head) =>
    tf.tidy((): PlaceModulation => {
      const flat = tf.reshape(read, [batch * height * width, readWidth]);
      const both = tf.reshape(tf.mul(linearForward(head, flat), gain), [batch, height, width, -1]);
      const [scale, shift] = tf.split(both, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return { scale, shift };
    }),
  ) as [PlaceModulation, PlaceModulation, PlaceModulation, PlaceModulation];
  return { fuse1: [first, second], fuse2: [third, fourth] };
}

/** Every tensor of `places`, e.g. to dispose them. */
export function gBlockPlacesTensors(places: GBlockPlaces): tf.Tensor[] {
  return [...places.fuse1, ...places.fuse2].flatMap(({ scale, shift }) => [scale, shift]);
}

/**
 * Reads `${prefix}fuse1_affine0.weight|bias` ... `${prefix}fuse2_affine1.weight|bias` (PyTorch
 * `nn.Linear` layout, `[2 · channels, readWidth]`).
 * @param options the constant gain (not stored in the dict). Default 1.
 */
export function loadPlaceModulationFromStateDict(
  dict: StateDict,
  prefix: string,
  options: Pick<PlaceModulationConfig, 'gain'> = {},
): PlaceModulationParams {
  const [a, b, c, d] = HEAD_NAMES.map((name) => loadLinearFromStateDict(dict, `${prefix}${name}.`));
  return {
    config: { gain: positiveGain(options.gain, 'gain', 'loadPlaceModulationFromStateDict') },
    heads: [a!, b!, c!, d!],
  };
}

/** Writes the keys {@link loadPlaceModulationFromStateDict} reads. */
export function exportPlaceModulationToStateDict(
  params: PlaceModulationParams,
  prefix: string,
): MutableStateDict {
  return Object.assign(
    {},
    ...params.heads.map((head, i) => exportLinearToStateDict(head, `${prefix}${HEAD_NAMES[i]}.`)),
  );
}
