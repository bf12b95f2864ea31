import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveConfig } from '@ratlip/ratlip-gan';
import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateShapesZeroShot,
  SHAPES_ZERO_SHOT_ATTRIBUTES,
  shapesZeroShotSet,
} from '../clip/shapes-zero-shot';
import { loadRunClip, SEEDED_CLIP_SEED, SHIPPED_CLIPS, shippedClipPath } from './run-clip';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('loadRunClip', () => {
  it('loads the shipped CLIP a config names, at the config size, with its compact vocabulary and hash', async () => {
    const config = resolveConfig('ratlip-shapes-32');
    const before = tf.memory().numTensors;
    const runClip = await loadRunClip(config);
    expect(runClip.source).toMatchObject({ kind: 'shipped', name: config.clip.model });
    expect(runClip.source.kind === 'shipped' && runClip.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(runClip.clip.config).toEqual({ vision: config.clip.vision, text: config.clip.text });
    expect(runClip.tokenIds?.length).toBeGreaterThan(2);
    expect(runClip.tokenIds!.length).toBeLessThan(config.clip.text.vocabSize);
    runClip.clip.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives configs without a shipped CLIP a seeded stand-in of their size', async () => {
    const config = resolveConfig('ratlip-tiny');
    expect(SHIPPED_CLIPS[config.clip.model]).toBeUndefined();
    const runClip = await loadRunClip(config);
    expect(runClip.source).toEqual({ kind: 'seeded-init', seed: SEEDED_CLIP_SEED });
    expect(runClip.clip.config.vision).toEqual(config.clip.vision);
    expect(runClip.tokenIds).toBeUndefined();
    runClip.clip.dispose();
  });
});

describe('the shipped Shapes CLIP', () => {
  const path = shippedClipPath('shapes')!;
  const recordPath = join(dirname(path), 'zero-shot.json');

  it('is shipped with its zero-shot record', () => {
    expect(existsSync(path)).toBe(true);
    expect(existsSync(recordPath)).toBe(true);
  });

  it('recognises each attribute as well as its zero-shot.json says (on a smaller sample)', async () => {
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as {
      attributes: Record<string, { accuracy: number; chance: number }>;
      dataset: { seed: number };
    };
    const runClip = await loadRunClip(resolveConfig('ratlip-shapes-32'));
    const { imageSize } = runClip.clip.config.vision;
    const { contextLength } = runClip.clip.config.text;
    const set = shapesZeroShotSet((texts) => runClip.tokenizer.tokenize(texts, { contextLength }), {
      imageCount: 200,
      imageSize,
      seed: record.dataset.seed,
    });
    const measured = evaluateShapesZeroShot(runClip.clip, set, 0);
    runClip.clip.dispose();
    for (const attribute of SHAPES_ZERO_SHOT_ATTRIBUTES) {
      const expected = record.attributes[attribute]!;
      // 200 of the record's images: a binomial standard error of at most 0.035.
      expect(Math.abs(measured.attributes[attribute].accuracy - expected.accuracy), attribute).toBeLessThan(
        0.1,
      );
    }
    expect(record.attributes['colour']!.accuracy).toBeGreaterThan(0.9);
  });
});
