import { SeededRandom } from '@ratlip/runtime';
import { type ClipConfig, validateClipConfig } from './clip-config';
import {
  assembleClipParameters,
  type ClipParameters,
  clipParameterSlots,
  LOGIT_SCALE_KEY,
} from './clip-parameters';
import { type ParameterSlot, slotTensorFromTorch } from './parameter-layout';

/** Options of {@link initializeClipParameters}. */
export interface InitializeClipOptions {
  /** Seed of the generator (`SeededRandom`). Default 0. */
  seed?: number;
}

const BLOCK_KEY = /^(visual\.)?transformer\.resblocks\.\d+\.(.+)$/;

/**
 * Fresh CLIP parameters for training from scratch, following OpenAI's `initialize_parameters`: token
 * embedding N(0, 0.02), text positional embedding N(0, 0.01), image class/positional embeddings and
 * `proj` N(0, width^-0.5), patch embedding U(+-1/sqrt(fan_in)) (PyTorch's conv default), LayerNorm
 * weight 1 and bias 0, `logit_scale` ln(1/0.07). Every residual block (of both towers) uses OpenAI's
 * text-tower scheme: `in_proj` N(0, width^-0.5), `out_proj` and `c_proj` N(0, width^-0.5 (2 layers)^-0.5),
 * `c_fc` N(0, (2 width)^-0.5), biases 0. The caller owns the returned tensors.
 */
export function initializeClipParameters(
  config: ClipConfig,
  options: InitializeClipOptions = {},
): ClipParameters {
  validateClipConfig(config);
  const random = new SeededRandom(options.seed ?? 0);
  const tensors = new Map(
    clipParameterSlots(config).map((slot) => [
      slot.key,
      slotTensorFromTorch(slot, initialValues(slot, config, random)),
    ]),
  );
  return assembleClipParameters(config, (key) => tensors.get(key)!);
}

function initialValues(slot: ParameterSlot, config: ClipConfig, random: SeededRandom): Float32Array {
  const count = slot.torchShape.reduce((a, b) => a * b, 1);
  const normal = (std: number) => random.normalArray(count).map((v) => v * std);
  const constant = (value: number) => new Float32Array(count).fill(value);
  const vision = slot.key.startsWith('visual.');
  const tower = vision ? config.vision : config.text;
  const block = BLOCK_KEY.exec(slot.key);
  if (block) {
    const attentionStd = tower.width ** -0.5;
    const projectionStd = attentionStd * (2 * tower.layers) ** -0.5;
    const suffix = block[2]!;
    if (suffix === 'attn.in_proj_weight') return normal(attentionStd);
    if (suffix === 'attn.out_proj.weight' || suffix === 'mlp.c_proj.weight') return normal(projectionStd);
    if (suffix === 'mlp.c_fc.weight') return normal((2 * tower.width) ** -0.5);
    return constant(suffix.endsWith('ln_1.weight') || suffix.endsWith('ln_2.weight') ? 1 : 0);
  }
  if (slot.key === LOGIT_SCALE_KEY) return constant(Math.log(1 / 0.07));
  if (slot.key.endsWith('.weight') && slot.torchShape.length === 1) return constant(1);
  if (slot.key.endsWith('.bias')) return constant(0);
  if (slot.key === 'token_embedding.weight') return normal(0.02);
  if (slot.key === 'positional_embedding') return normal(0.01);
  if (slot.key === 'visual.conv1.weight') {
    const bound = 1 / Math.sqrt(3 * config.vision.patchSize ** 2);
    return Float32Array.from({ length: count }, () => (random.uniform() * 2 - 1) * bound);
  }
  return normal(tower.width ** -0.5);
}
