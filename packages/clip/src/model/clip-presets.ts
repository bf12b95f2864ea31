import type { ClipConfig } from './clip-config';

/** Names of the built-in CLIP configurations. */
export type ClipPresetName = 'ViT-B/32' | 'ViT-B/16' | 'ViT-L/14' | 'ViT-L/14@336px' | 'tiny' | 'small';

const OPENAI_TEXT = { contextLength: 77, vocabSize: 49408 } as const;

/**
 * Built-in configurations. The `ViT-*` entries are OpenAI's released models (their weights load with
 * `loadClipWeights`); RATLIP uses `ViT-B/32`. `tiny` is the test model of the shared fixtures (32 px,
 * 12 vision blocks so the RATLIP taps and prompt blocks apply). `small` is a CPU-trainable model for
 * domains without pretrained weights (64 px images, 8 x 8 patch grid, 12 vision blocks of width 128).
 */
export const CLIP_PRESETS: Readonly<Record<ClipPresetName, Readonly<ClipConfig>>> = {
  'ViT-B/32': {
    vision: { imageSize: 224, patchSize: 32, width: 768, layers: 12, heads: 12, embedDim: 512 },
    text: { ...OPENAI_TEXT, width: 512, layers: 12, heads: 8, embedDim: 512 },
  },
  'ViT-B/16': {
    vision: { imageSize: 224, patchSize: 16, width: 768, layers: 12, heads: 12, embedDim: 512 },
    text: { ...OPENAI_TEXT, width: 512, layers: 12, heads: 8, embedDim: 512 },
  },
  'ViT-L/14': {
    vision: { imageSize: 224, patchSize: 14, width: 1024, layers: 24, heads: 16, embedDim: 768 },
    text: { ...OPENAI_TEXT, width: 768, layers: 12, heads: 12, embedDim: 768 },
  },
  'ViT-L/14@336px': {
    vision: { imageSize: 336, patchSize: 14, width: 1024, layers: 24, heads: 16, embedDim: 768 },
    text: { ...OPENAI_TEXT, width: 768, layers: 12, heads: 12, embedDim: 768 },
  },
  tiny: {
    vision: { imageSize: 32, patchSize: 8, width: 64, layers: 12, heads: 4, embedDim: 32 },
    text: { ...OPENAI_TEXT, width: 32, layers: 2, heads: 2, embedDim: 32 },
  },
  small: {
    vision: { imageSize: 64, patchSize: 8, width: 128, layers: 12, heads: 4, embedDim: 128 },
    text: { ...OPENAI_TEXT, width: 128, layers: 4, heads: 4, embedDim: 128 },
  },
};

/** A fresh (mutable) copy of a built-in configuration; throws listing the known names for an unknown one. */
export function clipPreset(name: ClipPresetName): ClipConfig {
  const preset = (CLIP_PRESETS as Record<string, Readonly<ClipConfig> | undefined>)[name];
  if (!preset) {
    throw new Error(`clipPreset: unknown preset '${name}'; known: ${Object.keys(CLIP_PRESETS).join(', ')}`);
  }
  return { vision: { ...preset.vision }, text: { ...preset.text } };
}
