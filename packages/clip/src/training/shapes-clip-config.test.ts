import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateClipConfig } from '../model/clip-config';
import { ClipTrainer } from './clip-trainer';
import {
  SHAPES_CLIP_BATCH_SIZE,
  SHAPES_CLIP_CONFIG,
  SHAPES_CLIP_WARMUP_STEPS,
  shapesClipTrainerOptions,
} from './shapes-clip-config';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('SHAPES_CLIP_CONFIG', () => {
  it('is a valid config that trains with its recommended options', () => {
    const config = validateClipConfig(structuredClone(SHAPES_CLIP_CONFIG));
    expect(SHAPES_CLIP_BATCH_SIZE).toBeGreaterThanOrEqual(2);
    const before = tf.memory().numTensors;
    const options = shapesClipTrainerOptions(1000);
    const trainer = ClipTrainer.fromConfig(config, options);
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
    // The first warm-up step runs at 1 / warmup of the peak.
    expect(options.schedule.warmupSteps).toBe(SHAPES_CLIP_WARMUP_STEPS);
    expect(result.learningRate).toBeCloseTo(options.schedule.peak / SHAPES_CLIP_WARMUP_STEPS, 10);
    tf.dispose([images, ids]);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('warms up for a tenth of runs shorter than 500 steps and rejects a bad length', () => {
    expect(shapesClipTrainerOptions(5000).schedule).toMatchObject({ warmupSteps: 50, totalSteps: 5000 });
    expect(shapesClipTrainerOptions(120).schedule).toMatchObject({ warmupSteps: 12, totalSteps: 120 });
    expect(shapesClipTrainerOptions(3).schedule).toMatchObject({ warmupSteps: 0, totalSteps: 3 });
    expect(() => shapesClipTrainerOptions(0)).toThrow(/totalSteps must be a positive integer, got 0/);
  });
});
