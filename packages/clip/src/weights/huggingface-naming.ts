import type { ClipWeightNaming, KeyRoots } from './clip-weight-naming';
import { CANONICAL_VISION_ROOT, isVisionKey } from './clip-weight-naming';
import type { StoredTransform } from './stored-tensor';

const SAME: StoredTransform = { kind: 'same' };
const TRANSPOSED: StoredTransform = { kind: 'transposed' };
const QKV = ['q_proj', 'k_proj', 'v_proj'] as const;

/** OpenAI block suffix -> Hugging Face `CLIPEncoderLayer` suffix (the fused projection is handled apart). */
const BLOCK_RENAMES: readonly [string, string][] = [
  ['attn.out_proj.', 'self_attn.out_proj.'],
  ['ln_1.', 'layer_norm1.'],
  ['ln_2.', 'layer_norm2.'],
  ['mlp.c_fc.', 'mlp.fc1.'],
  ['mlp.c_proj.', 'mlp.fc2.'],
];

/** Canonical tower-relative key -> Hugging Face key, for keys outside the residual blocks. */
const TEXT_RENAMES: Readonly<Record<string, [string, StoredTransform]>> = {
  'token_embedding.weight': ['text_model.embeddings.token_embedding.weight', SAME],
  positional_embedding: ['text_model.embeddings.position_embedding.weight', SAME],
  'ln_final.weight': ['text_model.final_layer_norm.weight', SAME],
  'ln_final.bias': ['text_model.final_layer_norm.bias', SAME],
  text_projection: ['text_projection.weight', TRANSPOSED],
  logit_scale: ['logit_scale', SAME],
};
const VISION_RENAMES: Readonly<Record<string, [string, StoredTransform]>> = {
  class_embedding: ['vision_model.embeddings.class_embedding', SAME],
  'conv1.weight': ['vision_model.embeddings.patch_embedding.weight', SAME],
  positional_embedding: ['vision_model.embeddings.position_embedding.weight', SAME],
  'ln_pre.weight': ['vision_model.pre_layrnorm.weight', SAME],
  'ln_pre.bias': ['vision_model.pre_layrnorm.bias', SAME],
  'ln_post.weight': ['vision_model.post_layernorm.weight', SAME],
  'ln_post.bias': ['vision_model.post_layernorm.bias', SAME],
  proj: ['visual_projection.weight', TRANSPOSED],
};

/** File order of `CLIPModel.state_dict()`: sections, then layer suffixes. */
const SECTION_ORDER = [
  'text_model.embeddings.token_embedding.',
  'text_model.embeddings.position_embedding.',
  'text_model.encoder.layers.',
  'text_model.final_layer_norm.',
  'text_projection.',
  'vision_model.embeddings.class_embedding',
  'vision_model.embeddings.patch_embedding.',
  'vision_model.embeddings.position_embedding.',
  'vision_model.pre_layrnorm.',
  'vision_model.encoder.layers.',
  'vision_model.post_layernorm.',
  'visual_projection.',
  'logit_scale',
];
const LAYER_ORDER = [
  'self_attn.q_proj.',
  'self_attn.k_proj.',
  'self_attn.v_proj.',
  'self_attn.out_proj.',
  'layer_norm1.',
  'layer_norm2.',
  'mlp.fc1.',
  'mlp.fc2.',
];

const BLOCK_KEY = /^transformer\.resblocks\.(\d+)\.(.+)$/;
const LAYER_KEY = /encoder\.layers\.(\d+)\.(.+)$/;

function relativeKey(canonicalKey: string): { vision: boolean; relative: string } {
  const vision = isVisionKey(canonicalKey);
  return { vision, relative: vision ? canonicalKey.slice(CANONICAL_VISION_ROOT.length) : canonicalKey };
}

function storedFor(canonicalKey: string, roots: KeyRoots): { key: string; transform: StoredTransform }[] {
  const { vision, relative } = relativeKey(canonicalKey);
  const root = vision ? roots.vision : roots.text;
  const tower = vision ? 'vision_model' : 'text_model';
  const block = BLOCK_KEY.exec(relative);
  if (block) {
    const [, layer, suffix] = block as unknown as [string, string, string];
    const layerRoot = `${root}${tower}.encoder.layers.${layer}.`;
    const fused = /^attn\.in_proj_(weight|bias)$/.exec(suffix);
    if (fused) {
      return QKV.map((name, part) => ({
        key: `${layerRoot}self_attn.${name}.${fused[1]}`,
        transform: { kind: 'fusedPart', part, parts: 3 },
      }));
    }
    const rename = BLOCK_RENAMES.find(([from]) => suffix.startsWith(from));
    if (rename)
      return [{ key: `${layerRoot}${rename[1]}${suffix.slice(rename[0].length)}`, transform: SAME }];
  }
  const rename = (vision ? VISION_RENAMES : TEXT_RENAMES)[relative];
  if (!rename) throw new Error(`huggingface naming: no Hugging Face key for canonical '${canonicalKey}'`);
  return [{ key: `${root}${rename[0]}`, transform: rename[1] }];
}

/**
 * Hugging Face `transformers` `CLIPModel` names: `text_model.*`, `vision_model.*`, separate q/k/v
 * projections, `text_projection.weight` and `visual_projection.weight` as Linear weights (transposed
 * relative to OpenAI). The `*.embeddings.position_ids` buffers of older checkpoints are ignored.
 */
export const HUGGINGFACE_NAMING: ClipWeightNaming = {
  name: 'huggingface',
  defaultVisionRoot: '',
  modelRoots: (prefix) => ({ vision: prefix, text: prefix }),
  storedFor,
  orderRank: (key, roots) => {
    const relative =
      [roots.vision, roots.text]
        .filter((root) => key.startsWith(root))
        .map((root) => key.slice(root.length))
        .find((rest) => SECTION_ORDER.some((start) => rest.startsWith(start))) ?? key;
    const section = SECTION_ORDER.findIndex((start) => relative.startsWith(start));
    const layer = LAYER_KEY.exec(relative);
    if (!layer) return [section];
    const suffix = LAYER_ORDER.findIndex((start) => layer[2]!.startsWith(start));
    return [section, Number(layer[1]), suffix, layer[2]!.endsWith('weight') ? 0 : 1];
  },
  inScope: (key, part, roots) => {
    const vision =
      key.startsWith(`${roots.vision}vision_model.`) || key === `${roots.vision}visual_projection.weight`;
    const text = key.startsWith(`${roots.text}text_model.`) || key === `${roots.text}text_projection.weight`;
    if (part === 'vision') return vision;
    if (part === 'text') return text;
    return key.startsWith(roots.text);
  },
  isIgnorable: (key) => key.endsWith('embeddings.position_ids'),
  recognizes: (keys) => keys.some((key) => /(^|\.)(vision_model|text_model)\./.test(key)),
};
