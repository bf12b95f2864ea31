import { readSafetensors, SeededRandom, useBackend, writeSafetensors } from '@ratlip/runtime';
import { expectNoTensorLeak } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer';
import { ClipTrainer, type ClipTrainerOptions } from './clip-trainer';
import { miniClipConfig } from './mini-config.test-support';
import {
  renderSquares,
  SQUARE_CLASS_COUNT,
  squareAttributes,
  squareCaptionIds,
} from './synthetic-squares.test-support';
import { zeroShotTasks } from './zero-shot';

const config = miniClipConfig();
const SIZE = config.vision.imageSize;
let tokenizer: ClipTokenizer;

beforeAll(async () => {
  await useBackend('wasm');
  tokenizer = await ClipTokenizer.load();
});

/** One batch holding every class once, in a shuffled order. */
function squareBatch(random: SeededRandom): { images: tf.Tensor4D; ids: tf.Tensor2D } {
  const classes = Array.from({ length: SQUARE_CLASS_COUNT }, (_, i) => i);
  random.shuffle(classes);
  return { images: renderSquares(classes, SIZE, random), ids: squareCaptionIds(classes, tokenizer) };
}

function withBatch<T>(random: SeededRandom, use: (images: tf.Tensor4D, ids: tf.Tensor2D) => T): T {
  const { images, ids } = squareBatch(random);
  try {
    return use(images, ids);
  } finally {
    tf.dispose([images, ids]);
  }
}

/** Zero-shot accuracy on fresh renders, 4 of each class: full caption, colour and position. */
function evaluate(trainer: ClipTrainer): Record<string, { accuracy: number; chance: number }> {
  const classes = Array.from({ length: 4 * SQUARE_CLASS_COUNT }, (_, i) => i % SQUARE_CLASS_COUNT);
  const captions = Array.from({ length: SQUARE_CLASS_COUNT }, (_, i) => i);
  const images = renderSquares(classes, SIZE, new SeededRandom(1234));
  const candidates = squareCaptionIds(captions, tokenizer);
  const attribute = (name: 'colour' | 'position') => ({
    candidates,
    labels: classes.map((c) => squareAttributes(c)[name]),
    candidateClasses: captions.map((c) => squareAttributes(c)[name]),
  });
  try {
    return zeroShotTasks(trainer.model, images, {
      caption: { candidates, labels: classes },
      colour: attribute('colour'),
      position: attribute('position'),
    });
  } finally {
    tf.dispose([images, candidates]);
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('ClipTrainer on wasm', () => {
  it('learns 4 colours x 4 positions of squares: loss falls, retrieval rises far above chance', () => {
    const steps = 100;
    const trainer = ClipTrainer.fromConfig(config, {
      seed: 2,
      schedule: { peak: 3e-3, warmupSteps: 10, totalSteps: steps },
      optimizer: { weightDecay: 0.1 },
      maxGradientNorm: 1,
    });
    const random = new SeededRandom(2);
    const initial = evaluate(trainer);
    const losses: number[] = [];
    const started = performance.now();
    for (let step = 0; step < steps; step++) {
      losses.push(withBatch(random, (images, ids) => trainer.step(images, ids)).loss);
    }
    const seconds = (performance.now() - started) / 1000;
    const final = evaluate(trainer);
    const describe = (r: Record<string, { accuracy: number; chance: number }>) =>
      Object.entries(r)
        .map(([name, { accuracy, chance }]) => `${name} ${accuracy.toFixed(2)} (chance ${chance.toFixed(2)})`)
        .join(', ');
    console.info(
      `synthetic squares: ${steps} steps of batch ${SQUARE_CLASS_COUNT} in ${seconds.toFixed(1)} s; ` +
        `loss ${mean(losses.slice(0, 5)).toFixed(3)} -> ${mean(losses.slice(-10)).toFixed(3)} (chance ${Math.log(SQUARE_CLASS_COUNT).toFixed(3)}); ` +
        `before: ${describe(initial)}; after: ${describe(final)}`,
    );
    expect(mean(losses.slice(-10))).toBeLessThan(0.6 * mean(losses.slice(0, 5)));
    expect(final['caption']!.accuracy).toBeGreaterThanOrEqual(3 * final['caption']!.chance);
    expect(final['caption']!.accuracy).toBeGreaterThan(initial['caption']!.accuracy);
    expect(final['colour']!.accuracy).toBeGreaterThanOrEqual(0.9);
    trainer.dispose();
  });

  const options: ClipTrainerOptions = {
    schedule: { peak: 2e-3, warmupSteps: 2, totalSteps: 10 },
    maxGradientNorm: 1,
  };

  it('resumes from a checkpoint with identical losses and leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const straight = ClipTrainer.fromConfig(config, { ...options, seed: 4 });
    const random = new SeededRandom(9);
    for (let step = 0; step < 3; step++) withBatch(random, (images, ids) => straight.step(images, ids));
    const checkpoint = expectNoTensorLeak(() => straight.checkpoint(), { label: 'checkpoint' });
    const resumeRandom = new SeededRandom(0);
    resumeRandom.setState(random.getState());
    const continued = [0, 1, 2].map(() => withBatch(random, (images, ids) => straight.step(images, ids)));
    straight.dispose();

    const weights = readSafetensors(
      writeSafetensors(checkpoint.weights.tensors, checkpoint.weights.metadata),
    );
    const state = readSafetensors(
      writeSafetensors(checkpoint.optimizer.tensors, checkpoint.optimizer.metadata),
    );
    const resumed = ClipTrainer.fromCheckpoint(weights, state, options);
    expect(resumed.stepCount).toBe(3);
    const replayed = [0, 1, 2].map(() =>
      withBatch(resumeRandom, (images, ids) =>
        expectNoTensorLeak(() => resumed.step(images, ids), { label: 'ClipTrainer.step' }),
      ),
    );
    expect(replayed).toEqual(continued);
    resumed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same step with and without text cropping', () => {
    const [cropped, padded] = [true, false].map((cropText) =>
      ClipTrainer.fromConfig(config, { ...options, seed: 1, cropText }),
    );
    const results = [cropped!, padded!].map((trainer) =>
      withBatch(new SeededRandom(3), (images, ids) => trainer.step(images, ids)),
    );
    expect(results[0]!.loss).toBeCloseTo(results[1]!.loss, 5);
    expect(results[0]!.gradientNorm).toBeCloseTo(results[1]!.gradientNorm, 4);
    cropped!.dispose();
    padded!.dispose();
  });

  it('lets hard-negative texts compete for the images and keeps a frozen vision tower as it was', () => {
    const trainer = ClipTrainer.fromConfig(config, { ...options, seed: 2, freezeVision: true });
    const copies = () =>
      new Map([...trainer.variables].map(([key, variable]) => [key, variable.dataSync().slice()]));
    const before = copies();
    const random = new SeededRandom(6);
    const negativeClasses = [0, 5, 10];
    const result = withBatch(random, (images, ids) => {
      const negatives = squareCaptionIds(negativeClasses, tokenizer);
      try {
        return expectNoTensorLeak(() => trainer.step(images, ids, negatives), {
          label: 'step with negatives',
        });
      } finally {
        negatives.dispose();
      }
    });
    expect(result.negatives).toBe(negativeClasses.length);
    const batch = SQUARE_CLASS_COUNT;
    // Near chance at initialisation: the negatives widen each image's choice, not each text's.
    expect(result.loss).toBeGreaterThan(
      0.9 * ((Math.log(batch + negativeClasses.length) + Math.log(batch)) / 2),
    );
    const after = copies();
    const changed = [...before.keys()].filter(
      (key) => !after.get(key)!.every((value, i) => value === before.get(key)![i]),
    );
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((key) => key.startsWith('visual.'))).toEqual([]);
    expect(changed).toContain('text_projection');
    expect(changed).toContain('logit_scale');
    const images = tf.zeros([2, SIZE, SIZE, 3]) as tf.Tensor4D;
    const ids = tf.zeros([2, 77], 'int32') as tf.Tensor2D;
    const short = tf.zeros([2, 20], 'int32') as tf.Tensor2D;
    expect(() => trainer.step(images, ids, short)).toThrow(
      /negativeIds must be \[negatives, 77\] like ids, got \[2, 20\]/,
    );
    tf.dispose([images, ids, short]);
    trainer.dispose();
  });

  it('changes the schedule of later steps with setSchedule', () => {
    const trainer = ClipTrainer.fromConfig(config, options);
    expect(trainer.learningRate).toBeCloseTo(1e-3, 10);
    trainer.setSchedule({ peak: 8e-3, warmupSteps: 4, totalSteps: 20 });
    expect(trainer.learningRate).toBeCloseTo(2e-3, 10);
    expect(trainer.schedule).toEqual({ peak: 8e-3, warmupSteps: 4, totalSteps: 20 });
    expect(() => trainer.setSchedule({ peak: 1e-3, warmupSteps: 5, totalSteps: 5 })).toThrow(
      /ClipTrainer.setSchedule: 'totalSteps' must be an integer > warmupSteps \(5\), got 5/,
    );
    trainer.dispose();
  });

  it('names what is wrong with a batch or an option', () => {
    const trainer = ClipTrainer.fromConfig(config, options);
    const images = tf.zeros([3, SIZE, SIZE, 3]) as tf.Tensor4D;
    const ids = tf.zeros([2, 77], 'int32') as tf.Tensor2D;
    expect(() => trainer.step(images, ids)).toThrow(/same batch >= 2, got \[3, 16, 16, 3\] and \[2, 77\]/);
    expect(() => ClipTrainer.fromConfig(config, { ...options, maxGradientNorm: 0 })).toThrow(
      /'maxGradientNorm' must be > 0/,
    );
    tf.dispose([images, ids]);
    trainer.dispose();
  });
});
