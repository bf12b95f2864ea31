import { describe, expect, it } from 'vitest';
import { validateClipConfig } from './clip-config';
import { CLIP_PRESETS, type ClipPresetName, clipPreset } from './clip-presets';
import { clipConfigFromOpenAiArguments, openAiArgumentsFromClipConfig } from './reference-config';

describe('CLIP configs', () => {
  it.each(Object.keys(CLIP_PRESETS) as ClipPresetName[])(
    'preset %s is valid and round-trips OpenAI arguments',
    (name) => {
      const config = clipPreset(name);
      expect(validateClipConfig(config)).toBe(config);
      expect(clipConfigFromOpenAiArguments(openAiArgumentsFromClipConfig(config))).toEqual(config);
    },
  );

  it('hands out copies', () => {
    const a = clipPreset('ViT-B/32');
    a.vision.layers = 1;
    expect(clipPreset('ViT-B/32').vision.layers).toBe(12);
  });

  it('names the offending field', () => {
    const config = clipPreset('tiny');
    expect(() => clipPreset('ViT-H/14' as ClipPresetName)).toThrow(
      /unknown preset 'ViT-H\/14'; known: ViT-B\/32/,
    );
    expect(() => validateClipConfig({ ...config, vision: { ...config.vision, patchSize: 5 } })).toThrow(
      /ClipConfig\.vision: 'imageSize' \(32\) must be a multiple of 'patchSize' \(5\)/,
    );
    expect(() => validateClipConfig({ ...config, text: { ...config.text, heads: 3 } })).toThrow(
      /ClipConfig\.text: 'heads' \(3\) must divide 'width' \(32\)/,
    );
    expect(() => validateClipConfig({ ...config, text: { ...config.text, layers: 0 } })).toThrow(
      /'layers' must be a positive integer, got 0/,
    );
    expect(() => validateClipConfig({ ...config, text: { ...config.text, embedDim: 16 } })).toThrow(
      /must be equal/,
    );
    expect(() => clipConfigFromOpenAiArguments('{"embed_dim": 1}')).toThrow(
      /'image_resolution' must be a number/,
    );
    expect(() => clipConfigFromOpenAiArguments('{')).toThrow(/not valid JSON/);
  });

  it('derives the vision heads as OpenAI does when absent', () => {
    const args = { ...openAiArgumentsFromClipConfig(clipPreset('ViT-L/14')) };
    delete args.vision_heads;
    expect(clipConfigFromOpenAiArguments(args).vision.heads).toBe(16);
  });
});
