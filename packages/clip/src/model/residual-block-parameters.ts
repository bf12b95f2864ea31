import type * as tf from '@tensorflow/tfjs';
import { CLIP_MLP_RATIO } from './clip-config';
import type { ParameterLayout, ParameterSlot } from './parameter-layout';

/** A dense layer `y = x @ weight + bias`. */
export interface LinearParameters {
  /** `[in, out]` (the transpose of PyTorch's `[out, in]`). */
  weight: tf.Tensor2D;
  /** `[out]`. */
  bias: tf.Tensor1D;
}

/** LayerNorm affine parameters, both `[width]`. */
export interface LayerNormParameters {
  weight: tf.Tensor1D;
  bias: tf.Tensor1D;
}

/** Multi-head self-attention with the fused query/key/value projection of PyTorch's `nn.MultiheadAttention`. */
export interface AttentionParameters {
  /** Fused projection: weight `[width, 3 * width]` whose column blocks are query, key, value. */
  inProjection: LinearParameters;
  /** Output projection: weight `[width, width]`. */
  outProjection: LinearParameters;
}

/** One pre-LayerNorm residual attention block of CLIP. */
export interface ResidualBlockParameters {
  /** LayerNorm before attention (OpenAI `ln_1`). */
  norm1: LayerNormParameters;
  attention: AttentionParameters;
  /** LayerNorm before the MLP (OpenAI `ln_2`). */
  norm2: LayerNormParameters;
  /** MLP expansion (OpenAI `mlp.c_fc`): weight `[width, 4 * width]`. */
  mlpIn: LinearParameters;
  /** MLP contraction (OpenAI `mlp.c_proj`): weight `[4 * width, width]`. */
  mlpOut: LinearParameters;
}

interface BlockField {
  suffix: string;
  torchShape(width: number): number[];
  layout: ParameterLayout;
  read(block: ResidualBlockParameters): tf.Tensor;
}

const hidden = (width: number) => CLIP_MLP_RATIO * width;

/** The block's parameters in OpenAI state_dict order. */
const BLOCK_FIELDS: readonly BlockField[] = [
  {
    suffix: 'attn.in_proj_weight',
    torchShape: (w) => [3 * w, w],
    layout: 'linear',
    read: (b) => b.attention.inProjection.weight,
  },
  {
    suffix: 'attn.in_proj_bias',
    torchShape: (w) => [3 * w],
    layout: 'plain',
    read: (b) => b.attention.inProjection.bias,
  },
  {
    suffix: 'attn.out_proj.weight',
    torchShape: (w) => [w, w],
    layout: 'linear',
    read: (b) => b.attention.outProjection.weight,
  },
  {
    suffix: 'attn.out_proj.bias',
    torchShape: (w) => [w],
    layout: 'plain',
    read: (b) => b.attention.outProjection.bias,
  },
  { suffix: 'ln_1.weight', torchShape: (w) => [w], layout: 'plain', read: (b) => b.norm1.weight },
  { suffix: 'ln_1.bias', torchShape: (w) => [w], layout: 'plain', read: (b) => b.norm1.bias },
  {
    suffix: 'mlp.c_fc.weight',
    torchShape: (w) => [hidden(w), w],
    layout: 'linear',
    read: (b) => b.mlpIn.weight,
  },
  { suffix: 'mlp.c_fc.bias', torchShape: (w) => [hidden(w)], layout: 'plain', read: (b) => b.mlpIn.bias },
  {
    suffix: 'mlp.c_proj.weight',
    torchShape: (w) => [w, hidden(w)],
    layout: 'linear',
    read: (b) => b.mlpOut.weight,
  },
  { suffix: 'mlp.c_proj.bias', torchShape: (w) => [w], layout: 'plain', read: (b) => b.mlpOut.bias },
  { suffix: 'ln_2.weight', torchShape: (w) => [w], layout: 'plain', read: (b) => b.norm2.weight },
  { suffix: 'ln_2.bias', torchShape: (w) => [w], layout: 'plain', read: (b) => b.norm2.bias },
];

/** Slots of the blocks `${prefix}${i}.*` for i in 0..layers-1 (prefix e.g. `visual.transformer.resblocks.`). */
export function residualBlockSlots(prefix: string, layers: number, width: number): ParameterSlot[] {
  const slots: ParameterSlot[] = [];
  for (let i = 0; i < layers; i++) {
    for (const field of BLOCK_FIELDS) {
      slots.push({
        key: `${prefix}${i}.${field.suffix}`,
        torchShape: field.torchShape(width),
        layout: field.layout,
      });
    }
  }
  return slots;
}

/** Builds the blocks from TF.js-layout tensors fetched by canonical key. */
export function assembleResidualBlocks(
  prefix: string,
  layers: number,
  get: (key: string) => tf.Tensor,
): ResidualBlockParameters[] {
  return Array.from({ length: layers }, (_, i) => {
    const at = (suffix: string) => get(`${prefix}${i}.${suffix}`);
    return {
      norm1: { weight: at('ln_1.weight') as tf.Tensor1D, bias: at('ln_1.bias') as tf.Tensor1D },
      attention: {
        inProjection: {
          weight: at('attn.in_proj_weight') as tf.Tensor2D,
          bias: at('attn.in_proj_bias') as tf.Tensor1D,
        },
        outProjection: {
          weight: at('attn.out_proj.weight') as tf.Tensor2D,
          bias: at('attn.out_proj.bias') as tf.Tensor1D,
        },
      },
      norm2: { weight: at('ln_2.weight') as tf.Tensor1D, bias: at('ln_2.bias') as tf.Tensor1D },
      mlpIn: { weight: at('mlp.c_fc.weight') as tf.Tensor2D, bias: at('mlp.c_fc.bias') as tf.Tensor1D },
      mlpOut: { weight: at('mlp.c_proj.weight') as tf.Tensor2D, bias: at('mlp.c_proj.bias') as tf.Tensor1D },
    };
  });
}

/** `[canonical key, tensor]` pairs of the blocks, in slot order. */
export function residualBlockEntries(
  prefix: string,
  blocks: readonly ResidualBlockParameters[],
): [string, tf.Tensor][] {
  return blocks.flatMap((block, i) =>
    BLOCK_FIELDS.map((field): [string, tf.Tensor] => [`${prefix}${i}.${field.suffix}`, field.read(block)]),
  );
}
