import { readFixture, readJsonFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipTextWeights } from '../weights/load-clip-weights';
import { proceduralClipSource, proceduralFirstValue } from '../weights/procedural-source.test-support';
import { clipLogits } from './clip-logits';
import { LOGIT_SCALE_KEY } from './clip-parameters';
import { expectBigModelClose } from './parity.test-support';
import { clipConfigFromOpenAiArguments } from './reference-config';
import type { ClipTextTransformer } from './text-transformer';

interface Layout {
  config: Record<string, number>;
  openai_keys: Record<string, number[]>;
}

const io = readFixture('clip/vit_b32_procedural_io.safetensors');
const layout = readJsonFixture<Layout>('clip/vit_b32_layout.json');
const close = (label: string, actual: tf.Tensor, name: string) => {
  const expected = io.tensor(name);
  expectBigModelClose(`ViT-B/32 ${label}`, actual, expected, (d, bound, what) =>
    expect(d, what).toBeLessThanOrEqual(bound),
  );
  expected.dispose();
};

describe('full-size ViT-B/32 text tower with procedural weights matches vit_b32_procedural_io', () => {
  let tower: ClipTextTransformer;
  let before: number;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const source = proceduralClipSource(io, layout.openai_keys, { config: JSON.stringify(layout.config) });
    const loaded = loadClipTextWeights(source);
    tower = loaded.model;
    expect(loaded.config).toEqual(clipConfigFromOpenAiArguments(layout.config).text);
    before = tf.memory().numTensors;
  });

  afterAll(() => {
    expect(tf.memory().numTensors).toBe(before);
    tower?.dispose();
  });

  it('end-of-text hidden state per layer, ln_final, embedding and logits', () => {
    tf.tidy(() => {
      const ids = io.tensor('text.ids') as tf.Tensor2D;
      const eot = tower.endOfTextIndex(ids);
      // The mask is causal, so tokens up to the last end-of-text token see exactly what they see in the
      // full 77-token pass; running only those keeps this full-size test fast on the cpu backend.
      const firstTokens = io.entry('text.ln_final_first8').shape[1]!;
      const length = Math.max(firstTokens, eot.max().arraySync() as number + 1);
      const prefix = ids.slice([0, 0], [-1, length]);
      const run = tower.runBlocks(tower.embed(prefix), true);
      const [batch, , width] = run.tokens.shape;
      const rows = tf.range(0, batch * length, length, 'int32').add(eot);
      const eotHidden = tf.stack(run.hidden.map((h) => tf.gather(h.reshape([batch * length, width]), rows)));
      close('text.eot_hidden_per_layer', eotHidden, 'text.eot_hidden_per_layer');
      const normalized = tower.finalNorm(run.tokens);
      close('text.ln_final_first8', normalized.slice([0, 0, 0], [-1, firstTokens, -1]), 'text.ln_final_first8');
      const text = tower.pool(normalized, prefix);
      close('text.embed', text, 'text.embed');
      const logitScale = tf.scalar(proceduralFirstValue(io, LOGIT_SCALE_KEY));
      const { logitsPerImage } = clipLogits(io.tensor('image.embed') as tf.Tensor2D, text, logitScale);
      close('logits_per_image', logitsPerImage, 'logits_per_image');
    });
  });
});
