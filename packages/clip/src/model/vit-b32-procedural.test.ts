import { useBackend } from '@ratlip/runtime';
import { readFixture, readJsonFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipWeights } from '../weights/load-clip-weights';
import { proceduralClipSource, proceduralFirstValue } from '../weights/procedural-source.test-support';
import type { ClipModel } from './clip-model';
import { expectBigModelClose } from './parity.test-support';
import { clipConfigFromOpenAiArguments } from './reference-config';

interface Layout {
  config: Record<string, number>;
  openai_keys: Record<string, number[]>;
}

const io = readFixture('clip/vit_b32_procedural_io.safetensors');
const layout = readJsonFixture<Layout>('clip/vit_b32_layout.json');
const taps = JSON.parse(io.metadata['ratlip_taps']!) as number[];
const close = (label: string, actual: tf.Tensor, name: string) => {
  const expected = io.tensor(name);
  expectBigModelClose(`ViT-B/32 ${label}`, actual, expected, (d, bound, what) =>
    expect(d, what).toBeLessThanOrEqual(bound),
  );
  expected.dispose();
};

// The full-size forward passes take minutes on the cpu backend; wasm runs them in seconds.
describe('full-size ViT-B/32 with procedural weights matches vit_b32_procedural_io (wasm)', () => {
  let model: ClipModel;
  let before: number;

  beforeAll(async () => {
    await useBackend('wasm');
    const source = proceduralClipSource(io, layout.openai_keys, { config: JSON.stringify(layout.config) });
    const loaded = loadClipWeights(source);
    model = loaded.model;
    expect(loaded.config).toEqual(clipConfigFromOpenAiArguments(layout.config));
    before = tf.memory().numTensors;
  });

  afterAll(() => {
    expect(tf.memory().numTensors).toBe(before);
    model?.dispose();
  });

  it('regenerates the weights bit-exactly (check.first_values)', () => {
    const keys = JSON.parse(io.metadata['check_keys']!) as string[];
    const first = io.float32('check.first_values');
    expect(keys.length).toBe(first.length);
    keys.forEach((key, i) => {
      expect(proceduralFirstValue(io, key), key).toBe(first[i]);
    });
  });

  it('image tower: ln_pre tokens, class token after every block, embedding, RATLIP taps', () => {
    tf.tidy(() => {
      const pixels = io.tensor('image.input').transpose([0, 2, 3, 1]) as tf.Tensor4D;
      const tokens = model.vision.embedTokens(model.vision.embedPatches(pixels));
      const firstTokens = io.entry('image.tokens_ln_pre_first4').shape[1]!;
      close(
        'image.tokens_ln_pre_first4',
        tokens.slice([0, 0, 0], [-1, firstTokens, -1]),
        'image.tokens_ln_pre_first4',
      );
      const all = Array.from({ length: model.config.vision.layers }, (_, i) => i);
      const run = model.vision.runBlocks(tokens, { tapBlocks: all });
      const cls = tf.stack(run.taps.map((tap) => tap.slice([0, 0, 0], [-1, 1, -1]).squeeze([1])));
      close('image.cls_per_block', cls, 'image.cls_per_block');
      close('image.embed', model.encodeImage(pixels), 'image.embed');
      const { localFeatures, embedding } = model.vision.encodeWithLocalFeatures(pixels, { tapBlocks: taps });
      close(
        'image.ratlip_local_features',
        localFeatures.transpose([0, 1, 4, 2, 3]),
        'image.ratlip_local_features',
      );
      close('image.embed (with taps)', embedding, 'image.embed');
    });
  });

  it('text tower: end-of-text state per layer, ln_final, embedding; logits', () => {
    tf.tidy(() => {
      const ids = io.tensor('text.ids') as tf.Tensor2D;
      const run = model.text.runBlocks(model.text.embed(ids), true);
      const [batch, length, width] = run.tokens.shape;
      const rows = tf.range(0, batch * length, length, 'int32').add(model.text.endOfTextIndex(ids));
      const eotHidden = tf.stack(run.hidden.map((h) => tf.gather(h.reshape([batch * length, width]), rows)));
      close('text.eot_hidden_per_layer', eotHidden, 'text.eot_hidden_per_layer');
      const firstTokens = io.entry('text.ln_final_first8').shape[1]!;
      const normalized = model.text.finalNorm(run.tokens).slice([0, 0, 0], [-1, firstTokens, -1]);
      close('text.ln_final_first8', normalized, 'text.ln_final_first8');
      close('text.embed', model.encodeText(ids), 'text.embed');
      const pixels = io.tensor('image.input').transpose([0, 2, 3, 1]) as tf.Tensor4D;
      close('logits_per_image', model.forward(pixels, ids).logitsPerImage, 'logits_per_image');
    });
  });
});
