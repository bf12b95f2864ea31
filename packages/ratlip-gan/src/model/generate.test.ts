import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomClip, tinySetup } from '../testing/tiny-model.test-support';
import { toImageRange, toUint8Range } from './generate';
import { RatlipGan } from './ratlip-gan';

describe('generate (ratlip-tiny, paper-mode RAT, wasm)', () => {
  let setup: ReturnType<typeof tinySetup>;
  let sentences: tf.Tensor2D;

  beforeAll(async () => {
    await useBackend('wasm');
    setup = tinySetup();
    sentences = tf.randomNormal([3, setup.config.clip.text.embedDim], 0, 1, 'float32', 3) as tf.Tensor2D;
  });

  afterAll(() => {
    sentences?.dispose();
    setup?.model.dispose();
    setup?.clip.dispose();
  });

  it('does not depend on the batch size, and is deterministic in the seed', () => {
    const { model, config } = setup;
    const before = tf.memory().numTensors;
    const together = model.generate({ sentenceEmbeddings: sentences, seed: 4, batchSize: 3 });
    const oneByOne = model.generate({ sentenceEmbeddings: sentences, seed: 4, batchSize: 1 });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(together.shape).toEqual([3, config.imageSize, config.imageSize, 3]);
    const a = together.dataSync();
    const b = oneByOne.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThanOrEqual(1e-5);
    // The first image does not change when more images are made with the same seed.
    const first = model.generate({ sentenceEmbeddings: sentences.slice([0, 0], [1, -1]), seed: 4, count: 1 });
    expect(Array.from(first.dataSync())).toEqual(Array.from(a.subarray(0, first.size)));
    tf.dispose([together, oneByOne, first]);
  });

  it('returns uint8 values, repeats one sentence, and rejects bad requests with clear errors', () => {
    const { model, config } = setup;
    const one = sentences.slice([0, 0], [1, -1]) as tf.Tensor2D;
    const images = model.generate({ sentenceEmbeddings: one, seed: 1, count: 2, format: 'uint8' });
    expect(images.dtype).toBe('int32');
    expect(images.shape).toEqual([2, config.imageSize, config.imageSize, 3]);
    expect(images.dataSync().every((v) => v >= 0 && v <= 255 && Number.isInteger(v))).toBe(true);
    expect(() => model.generate({ texts: ['a red square'] })).toThrow(/sentenceEncoder/);
    expect(() => model.generate({ sentenceEmbeddings: sentences, count: 2 })).toThrow(
      /3 sentences for 2 images/,
    );
    tf.dispose([one, images]);
  });

  it('cleans NaN and clamps to [-1, 1]; uint8 rounds like save_image', () => {
    const x = tf.tensor4d([Number.NaN, -3, 0.5, 2], [1, 2, 2, 1]);
    expect(Array.from(toImageRange(x).dataSync())).toEqual([0, -1, 0.5, 1]);
    expect(Array.from(toUint8Range(tf.tensor4d([-1, 0, 1, 0.999], [1, 2, 2, 1])).dataSync())).toEqual([
      0, 128, 255, 255,
    ]);
  });

  it('samples from the EMA generator when enabled, which follows the weights', () => {
    const config = {
      ...setup.config,
      training: { ...setup.config.training, ema: { enabled: true, decay: 0.5 } },
    };
    const clip = randomClip(config);
    const model = RatlipGan.create(config, { vision: clip.vision, seed: 2 });
    expect(model.ema).toBeDefined();
    const bias = model.netG.toRgb.bias as tf.Variable;
    const initial = model.ema!.params.toRgb.bias!.dataSync()[0]!;
    tf.tidy(() => bias.assign(tf.fill(bias.shape, 0.4)));
    model.ema!.update();
    expect(model.ema!.params.toRgb.bias!.dataSync()[0]).toBeCloseTo(0.5 * initial + 0.5 * 0.4, 6);
    const noise = tf.zeros([1, config.generator.noiseDim]) as tf.Tensor2D;
    const one = sentences.slice([0, 0], [1, -1]) as tf.Tensor2D;
    const withEma = model.generate({ sentenceEmbeddings: one, noise });
    const direct = tf.tidy(() => toImageRange(model.generator(noise, one, { useEma: true })));
    expect(Array.from(withEma.dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([noise, one, withEma, direct]);
    model.dispose();
    clip.dispose();
  });
});
