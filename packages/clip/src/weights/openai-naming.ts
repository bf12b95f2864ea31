import { CANONICAL_VISION_ROOT, type ClipWeightNaming, isVisionKey } from './clip-weight-naming';

/** Scalars that OpenAI's released checkpoints keep beside the parameters (`build_model` deletes them). */
const OPENAI_EXTRA_SCALARS = ['input_resolution', 'context_length', 'vocab_size'];

/**
 * OpenAI `CLIP.state_dict()` names (the canonical naming): `visual.*` for the image tower with the fused
 * `attn.in_proj_weight`, text keys at the top level. A bare `VisionTransformer` (e.g. RATLIP's
 * `mapping.CLIP_ViT.*`) is the same with another vision root.
 */
export const OPENAI_NAMING: ClipWeightNaming = {
  name: 'openai',
  defaultVisionRoot: CANONICAL_VISION_ROOT,
  modelRoots: (prefix) => ({ vision: `${prefix}${CANONICAL_VISION_ROOT}`, text: prefix }),
  storedFor: (canonicalKey, roots) => [
    {
      key: isVisionKey(canonicalKey)
        ? `${roots.vision}${canonicalKey.slice(CANONICAL_VISION_ROOT.length)}`
        : `${roots.text}${canonicalKey}`,
      transform: { kind: 'same' },
    },
  ],
  orderRank: () => [],
  inScope: (key, part, roots) => {
    if (part === 'vision') return key.startsWith(roots.vision);
    if (part === 'all') return key.startsWith(roots.text);
    return (
      key.startsWith(roots.text) &&
      !key.startsWith(`${roots.text}${CANONICAL_VISION_ROOT}`) &&
      key !== `${roots.text}logit_scale`
    );
  },
  isIgnorable: (key, roots) => OPENAI_EXTRA_SCALARS.some((name) => key === `${roots.text}${name}`),
  recognizes: (keys) =>
    keys.some((key) => /(^|\.)(class_embedding|token_embedding\.weight|attn\.in_proj_weight)$/.test(key)),
};
