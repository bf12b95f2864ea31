import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateClipConfig } from '../model/clip-config';
import { ClipTrainer } from './clip-trainer';
import { SHAPES_CLIP_BATCH_SIZE, SHAPES_CLIP_CONFIG, shapesClipTrainerOptions } from './shapes-clip-config';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('SHAPES_CLIP_CONFIG', () => {
  it('is a valid config that trains with its recommended options', () => {
    const config = validateClipConfig(structuredClone(SHAPES_CLIP_CONFIG));
    expect(SHAPES_CLIP_BATCH_SIZE).toBeGreaterThanOrEqual(2);
    const before = tf.memory().numTensors;
    const trainer = ClipTrainer.fromConfig(config, shapesClipTrainerOptions(100));
    const size = config.vision.imageSize;
    const images = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const ids = tf.tensor2d(
      [
        [49406, 320, 1746, 49407],
        [49406, 320, 1901, 49407],
      ],
      [2, 4],
      'int32',
    );
    const result = trainer.step(images, ids);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.learningRate).toBeCloseTo(2e-3 / 50, 10);
    tf.dispose([images, ids]);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
