import type * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from './clip-config';
import { checkParameterEntries, type ParameterSlot } from './parameter-layout';
import {
  assembleTextParameters,
  type ClipTextParameters,
  TEXT_SLOTS_BEFORE_VISION,
  textParameterEntries,
  textParameterSlots,
} from './text-parameters';
import {
  assembleVisionParameters,
  type ClipVisionParameters,
  visionParameterEntries,
  visionParameterSlots,
} from './vision-parameters';

/** Canonical key of the learned temperature. */
export const LOGIT_SCALE_KEY = 'logit_scale';

/** Weights of a whole CLIP in TF.js layout. */
export interface ClipParameters {
  vision: ClipVisionParameters;
  text: ClipTextParameters;
  /** `logit_scale`, a scalar holding log(temperature); logits use `exp(logitScale)`. */
  logitScale: tf.Scalar;
}

/** Every parameter slot of a whole CLIP, in OpenAI state_dict order. */
export function clipParameterSlots(config: ClipConfig): ParameterSlot[] {
  const text = textParameterSlots(config.text);
  return [
    ...text.slice(0, TEXT_SLOTS_BEFORE_VISION),
    { key: LOGIT_SCALE_KEY, torchShape: [], layout: 'plain' },
    ...visionParameterSlots(config.vision),
    ...text.slice(TEXT_SLOTS_BEFORE_VISION),
  ];
}

/** Builds a whole CLIP's parameters from TF.js-layout tensors fetched by canonical key. */
export function assembleClipParameters(config: ClipConfig, get: (key: string) => tf.Tensor): ClipParameters {
  return {
    vision: assembleVisionParameters(config.vision, get),
    text: assembleTextParameters(config.text, get),
    logitScale: get(LOGIT_SCALE_KEY) as tf.Scalar,
  };
}

/** `[canonical key, tensor]` pairs of a whole CLIP's parameters. */
export function clipParameterEntries(parameters: ClipParameters): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ...textParameterEntries(parameters.text),
    [LOGIT_SCALE_KEY, parameters.logitScale],
    ...visionParameterEntries(parameters.vision),
  ]);
}

/** Throws naming the parameter when a whole CLIP's parameters do not fit `config`. */
export function checkClipParameters(config: ClipConfig, parameters: ClipParameters): void {
  checkParameterEntries(clipParameterSlots(config), clipParameterEntries(parameters), 'ClipModel');
}
