import { readFixture, readJsonFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClipVisionWeights } from '../weights/load-clip-weights';
import { proceduralClipSource, proceduralFirstValue } from '../weights/procedural-source.test-support';
import { expectBigModelClose } from './parity.test-support';
import { clipConfigFromOpenAiArguments } from './reference-config';
import type { ClipVisionTransformer } from './vision-transformer';

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

describe('full-size ViT-B/32 image tower with procedural weights matches vit_b32_procedural_io', () => {
  let tower: ClipVisionTransformer;
  let before: number;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const source = proceduralClipSource(io, layout.openai_keys, { config: JSON.stringify(layout.config) });
    const loaded = loadClipVisionWeights(source);
    tower = loaded.model;
    expect(loaded.config).toEqual(clipConfigFromOpenAiArguments(layout.config).vision);
    before = tf.memory().numTensors;
  });

  afterAll(() => {
    expect(tf.memory().numTensors).toBe(before);
    tower?.dispose();
  });

  it('regenerates the weights bit-exactly (check.first_values)', () => {
    const keys = JSON.parse(io.metadata['check_keys']!) as string[];
    const first = io.float32('check.first_values');
    expect(keys.length).toBe(first.length);
    keys.forEach((key, i) => expect(proceduralFirstValue(io, key), key).toBe(first[i]));
  });

  it('ln_pre tokens, class token after every block, RATLIP taps and embedding from one pass', () => {
    tf.tidy(() => {
      const pixels = io.tensor('image.input').transpose([0, 2, 3, 1]) as tf.Tensor4D;
      const tokens = tower.embedTokens(tower.embedPatches(pixels));
      const firstTokens = io.entry('image.tokens_ln_pre_first4').shape[1]!;
      close('image.tokens_ln_pre_first4', tokens.slice([0, 0, 0], [-1, firstTokens, -1]), 'image.tokens_ln_pre_first4');
      const all = Array.from({ length: tower.config.layers }, (_, i) => i);
      const run = tower.runBlocks(tokens, { tapBlocks: all });
      close('image.cls_per_block', tf.stack(run.taps.map((tap) => tap.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]))), 'image.cls_per_block');
      close('image.embed', tower.pool(run.tokens).embedding, 'image.embed');
      // encodeWithLocalFeatures = these taps without the class token, as a channels-last grid.
      const grid = tower.gridSize;
      const local = tf.stack(
        taps.map((block) => {
          const tap = run.taps[block]!;
          return tap.slice([0, 1, 0], [-1, grid * grid, -1]).reshape([-1, grid, grid, tower.config.width]);
        }),
        1,
      );
      close('image.ratlip_local_features', local.transpose([0, 1, 4, 2, 3]), 'image.ratlip_local_features');
    });
  });
});
