import type * as tf from '@tensorflow/tfjs';
import type { ClipTextConfig } from './clip-config';
import { checkParameterEntries, type ParameterSlot } from './parameter-layout';
import {
  assembleResidualBlocks,
  type LayerNormParameters,
  type ResidualBlockParameters,
  residualBlockEntries,
  residualBlockSlots,
} from './residual-block-parameters';

const BLOCKS = 'transformer.resblocks.';

/** Weights of the text tower in TF.js layout. */
export interface ClipTextParameters {
  /** `token_embedding.weight`, `[vocabSize, width]`. */
  tokenEmbedding: tf.Tensor2D;
  /** `positional_embedding`, `[contextLength, width]`. */
  positionalEmbedding: tf.Tensor2D;
  /** `transformer.resblocks.*`. */
  blocks: ResidualBlockParameters[];
  /** `ln_final`. */
  finalNorm: LayerNormParameters;
  /** `text_projection`, `[width, embedDim]`. */
  projection: tf.Tensor2D;
}

/**
 * The text tower's parameter slots. OpenAI's state_dict puts `positional_embedding` and
 * `text_projection` first and the rest after the image tower; the first two slots are those.
 */
export function textParameterSlots(config: ClipTextConfig): ParameterSlot[] {
  const { width } = config;
  return [
    { key: 'positional_embedding', torchShape: [config.contextLength, width], layout: 'plain' },
    { key: 'text_projection', torchShape: [width, config.embedDim], layout: 'plain' },
    ...residualBlockSlots(BLOCKS, config.layers, width),
    { key: 'token_embedding.weight', torchShape: [config.vocabSize, width], layout: 'plain' },
    { key: 'ln_final.weight', torchShape: [width], layout: 'plain' },
    { key: 'ln_final.bias', torchShape: [width], layout: 'plain' },
  ];
}

/** Number of text slots that OpenAI's state_dict lists before the image tower. */
export const TEXT_SLOTS_BEFORE_VISION = 2;

/** Builds the text tower's parameters from TF.js-layout tensors fetched by canonical key. */
export function assembleTextParameters(
  config: ClipTextConfig,
  get: (key: string) => tf.Tensor,
): ClipTextParameters {
  return {
    tokenEmbedding: get('token_embedding.weight') as tf.Tensor2D,
    positionalEmbedding: get('positional_embedding') as tf.Tensor2D,
    blocks: assembleResidualBlocks(BLOCKS, config.layers, get),
    finalNorm: { weight: get('ln_final.weight') as tf.Tensor1D, bias: get('ln_final.bias') as tf.Tensor1D },
    projection: get('text_projection') as tf.Tensor2D,
  };
}

/** `[canonical key, tensor]` pairs of the text tower's parameters. */
export function textParameterEntries(parameters: ClipTextParameters): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['positional_embedding', parameters.positionalEmbedding],
    ['text_projection', parameters.projection],
    ...residualBlockEntries(BLOCKS, parameters.blocks),
    ['token_embedding.weight', parameters.tokenEmbedding],
    ['ln_final.weight', parameters.finalNorm.weight],
    ['ln_final.bias', parameters.finalNorm.bias],
  ]);
}

/** Throws naming the parameter when the text tower's parameters do not fit `config`. */
export function checkTextParameters(config: ClipTextConfig, parameters: ClipTextParameters): void {
  checkParameterEntries(textParameterSlots(config), textParameterEntries(parameters), 'ClipTextTransformer');
}
