import type * as tf from '@tensorflow/tfjs';
import { type ClipVisionConfig, visionTokenCount } from './clip-config';
import { checkParameterEntries, type ParameterSlot } from './parameter-layout';
import {
  assembleResidualBlocks,
  type LayerNormParameters,
  type ResidualBlockParameters,
  residualBlockEntries,
  residualBlockSlots,
} from './residual-block-parameters';

/** Canonical (OpenAI) key prefix of the image tower inside a whole CLIP state_dict. */
export const VISION_KEY_PREFIX = 'visual.';

const BLOCKS = `${VISION_KEY_PREFIX}transformer.resblocks.`;

/** Weights of the image tower in TF.js layout (see {@link ParameterSlot} for the PyTorch correspondence). */
export interface ClipVisionParameters {
  /** `visual.conv1.weight` as a matrix `[patch * patch * 3, width]` applied to flattened channels-last patches. */
  patchEmbedding: tf.Tensor2D;
  /** `visual.class_embedding`, `[width]`. */
  classEmbedding: tf.Tensor1D;
  /** `visual.positional_embedding`, `[grid * grid + 1, width]` (class token first, then patches row-major). */
  positionalEmbedding: tf.Tensor2D;
  /** `visual.ln_pre`. */
  preNorm: LayerNormParameters;
  /** `visual.transformer.resblocks.*`. */
  blocks: ResidualBlockParameters[];
  /** `visual.ln_post`. */
  postNorm: LayerNormParameters;
  /** `visual.proj`, `[width, embedDim]`. */
  projection: tf.Tensor2D;
}

/** The image tower's parameter slots in OpenAI state_dict order. */
export function visionParameterSlots(config: ClipVisionConfig): ParameterSlot[] {
  const { width, patchSize } = config;
  const key = (name: string) => `${VISION_KEY_PREFIX}${name}`;
  return [
    { key: key('class_embedding'), torchShape: [width], layout: 'plain' },
    { key: key('positional_embedding'), torchShape: [visionTokenCount(config), width], layout: 'plain' },
    { key: key('proj'), torchShape: [width, config.embedDim], layout: 'plain' },
    { key: key('conv1.weight'), torchShape: [width, 3, patchSize, patchSize], layout: 'patch' },
    { key: key('ln_pre.weight'), torchShape: [width], layout: 'plain' },
    { key: key('ln_pre.bias'), torchShape: [width], layout: 'plain' },
    ...residualBlockSlots(BLOCKS, config.layers, width),
    { key: key('ln_post.weight'), torchShape: [width], layout: 'plain' },
    { key: key('ln_post.bias'), torchShape: [width], layout: 'plain' },
  ];
}

/** Builds the image tower's parameters from TF.js-layout tensors fetched by canonical key. */
export function assembleVisionParameters(
  config: ClipVisionConfig,
  get: (key: string) => tf.Tensor,
): ClipVisionParameters {
  const key = (name: string) => get(`${VISION_KEY_PREFIX}${name}`);
  return {
    patchEmbedding: key('conv1.weight') as tf.Tensor2D,
    classEmbedding: key('class_embedding') as tf.Tensor1D,
    positionalEmbedding: key('positional_embedding') as tf.Tensor2D,
    preNorm: { weight: key('ln_pre.weight') as tf.Tensor1D, bias: key('ln_pre.bias') as tf.Tensor1D },
    blocks: assembleResidualBlocks(BLOCKS, config.layers, get),
    postNorm: { weight: key('ln_post.weight') as tf.Tensor1D, bias: key('ln_post.bias') as tf.Tensor1D },
    projection: key('proj') as tf.Tensor2D,
  };
}

/** `[canonical key, tensor]` pairs of the image tower's parameters. */
export function visionParameterEntries(parameters: ClipVisionParameters): Map<string, tf.Tensor> {
  const key = (name: string) => `${VISION_KEY_PREFIX}${name}`;
  return new Map<string, tf.Tensor>([
    [key('class_embedding'), parameters.classEmbedding],
    [key('positional_embedding'), parameters.positionalEmbedding],
    [key('proj'), parameters.projection],
    [key('conv1.weight'), parameters.patchEmbedding],
    [key('ln_pre.weight'), parameters.preNorm.weight],
    [key('ln_pre.bias'), parameters.preNorm.bias],
    ...residualBlockEntries(BLOCKS, parameters.blocks),
    [key('ln_post.weight'), parameters.postNorm.weight],
    [key('ln_post.bias'), parameters.postNorm.bias],
  ]);
}

/** Throws naming the parameter when the image tower's parameters do not fit `config`. */
export function checkVisionParameters(config: ClipVisionConfig, parameters: ClipVisionParameters): void {
  checkParameterEntries(
    visionParameterSlots(config),
    visionParameterEntries(parameters),
    'ClipVisionTransformer',
  );
}
