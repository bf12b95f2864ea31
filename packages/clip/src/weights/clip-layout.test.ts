import { readJsonFixture } from '@ratlip/runtime/testing';
import { describe, expect, it } from 'vitest';
import { clipParameterSlots } from '../model/clip-parameters';
import { clipPreset } from '../model/clip-presets';
import { clipConfigFromOpenAiArguments } from '../model/reference-config';
import { textParameterSlots } from '../model/text-parameters';
import { visionParameterSlots } from '../model/vision-parameters';
import { clipWeightNaming } from './clip-weight-namings';
import { expectedStoredTensors } from './read-stored-parameters';

interface Layout {
  config: Record<string, number>;
  param_count_total: number;
  param_count_visual: number;
  param_count_text_incl_logit_scale: number;
  param_count_token_embedding: number;
  bytes_fp32: number;
  bytes_fp16: number;
  openai_keys: Record<string, number[]>;
  hf_keys: Record<string, number[]>;
}

const layout = readJsonFixture<Layout>('clip/vit_b32_layout.json');
const preset = clipPreset('ViT-B/32');
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('ViT-B/32 preset against vit_b32_layout.json', () => {
  it('has the fixture config', () => {
    expect(preset).toEqual(clipConfigFromOpenAiArguments(layout.config));
  });

  it.each([
    ['openai', 'openai_keys'],
    ['huggingface', 'hf_keys'],
  ] as const)('expects every %s key with its shape, in file order', (name, field) => {
    const naming = clipWeightNaming(name);
    const stored = expectedStoredTensors(clipParameterSlots(preset), naming, naming.modelRoots(''));
    const ordered = stored.map((tensor) => [tensor.key, tensor.shape]);
    expect(ordered).toEqual(Object.entries(layout[field]));
  });

  it('has the fixture parameter counts', () => {
    const total = clipParameterSlots(preset).reduce((sum, slot) => sum + count(slot.torchShape), 0);
    const visual = visionParameterSlots(preset.vision).reduce((sum, slot) => sum + count(slot.torchShape), 0);
    const text = textParameterSlots(preset.text).reduce((sum, slot) => sum + count(slot.torchShape), 0);
    const tokens = count(
      textParameterSlots(preset.text).find((s) => s.key === 'token_embedding.weight')!.torchShape,
    );
    expect(total).toBe(layout.param_count_total);
    expect(visual).toBe(layout.param_count_visual);
    expect(text + 1).toBe(layout.param_count_text_incl_logit_scale);
    expect(tokens).toBe(layout.param_count_token_embedding);
    expect(total * 4).toBe(layout.bytes_fp32);
    expect(total * 2).toBe(layout.bytes_fp16);
  });
});
