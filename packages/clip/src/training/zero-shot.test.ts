import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipModel } from '../model/clip-model';
import { initializeClipParameters } from '../model/initialize-clip-parameters';
import type { TokenizedTexts } from '../tokenizer/clip-tokenizer';
import { miniClipConfig, syntheticIds } from './mini-config.test-support';
import { zeroShotAccuracy, zeroShotPerImageTasks, zeroShotTasks } from './zero-shot';

const VOCAB = 64;
const config = miniClipConfig(VOCAB);
const LENGTHS = [3, 6, 4, 9, 5];
let model: ClipModel;
let images: tf.Tensor4D;
let candidates: tf.Tensor2D;
/** Index of the most similar candidate per image, computed directly. */
let nearest: number[];
/** Similarity of each image to each candidate, `[image][candidate]`. */
let logits: number[][];

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = new ClipModel(config, initializeClipParameters(config, { seed: 5 }));
  images = tf.randomNormal([7, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  candidates = tf.tensor2d(syntheticIds(LENGTHS, 77, VOCAB), [LENGTHS.length, 77], 'int32');
  nearest = tf.tidy(() => {
    const { logitsPerImage } = model.forward(images, candidates);
    return Array.from(logitsPerImage.argMax(1).dataSync());
  });
  logits = tf.tidy(() => model.forward(images, candidates).logitsPerImage.arraySync());
});

afterAll(() => {
  tf.dispose([images, candidates]);
  model.dispose();
});

describe('zeroShotAccuracy', () => {
  it('predicts the most similar candidate and scores it against the labels, in batches, without leaks', () => {
    const labels = nearest.map((candidate, i) => (i < 5 ? candidate : (candidate + 1) % LENGTHS.length));
    const before = tf.memory().numTensors;
    const result = zeroShotAccuracy(model, images, candidates, labels, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(result.predictions)).toEqual(nearest);
    expect(result.accuracy).toBeCloseTo(5 / 7, 10);
    expect(result.classCount).toBe(LENGTHS.length);
    expect(result.chance).toBeCloseTo(1 / LENGTHS.length, 10);
  });

  it('maps candidates to classes and takes tokenizer output', () => {
    const candidateClasses = [0, 1, 0, 1, 2];
    const tokenized: TokenizedTexts = {
      ids: syntheticIds(LENGTHS, 77, VOCAB),
      count: LENGTHS.length,
      contextLength: 77,
      lengths: Int32Array.from(LENGTHS),
      eotIndices: Int32Array.from(LENGTHS, (length) => length - 1),
    };
    const expected = nearest.map((candidate) => candidateClasses[candidate]!);
    const before = tf.memory().numTensors;
    const results = zeroShotTasks(model, images, {
      grouped: { candidates: tokenized, labels: expected, candidateClasses },
      direct: { candidates, labels: nearest },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(results['grouped']!.predictions)).toEqual(expected);
    expect(results['grouped']!.accuracy).toBe(1);
    expect(results['grouped']!.chance).toBeCloseTo(1 / 3, 10);
    expect(results['direct']!.accuracy).toBe(1);
  });

  it('names the task and the field of bad input', () => {
    expect(() => zeroShotAccuracy(model, images, candidates, [0, 1])).toThrow(
      /task 'task': labels has 2 entries for 7 images/,
    );
    expect(() => zeroShotAccuracy(model, images, candidates, new Array(7).fill(5))).toThrow(
      /labels\[0\] = 5 is not a class in \[0, 5\)/,
    );
    expect(() =>
      zeroShotTasks(model, images, {
        colour: { candidates, labels: new Array(7).fill(0), candidateClasses: [0, 1] },
      }),
    ).toThrow(/task 'colour': candidateClasses has 2 entries for 5 candidates/);
  });
});

describe('zeroShotPerImageTasks', () => {
  it("picks the most similar of each image's own candidates, without leaks", () => {
    const rowsOf = (image: number) => (image % 2 === 0 ? [4, 0, 2] : [1, 3]);
    const subsets = Array.from({ length: 7 }, (_, image) => rowsOf(image));
    const expected = subsets.map((rows, image) =>
      rows.reduce((best, row, k) => (logits[image]![row]! > logits[image]![rows[best]!]! ? k : best), 0),
    );
    const labels = expected.map((k, image) => (image === 0 ? (k + 1) % subsets[0]!.length : k));
    const before = tf.memory().numTensors;
    const results = zeroShotPerImageTasks(
      model,
      images,
      candidates,
      { subset: { candidates: subsets, labels } },
      { batchSize: 3 },
    );
    expect(tf.memory().numTensors).toBe(before);
    const result = results['subset']!;
    expect(Array.from(result.predictions)).toEqual(expected);
    expect(result.accuracy).toBeCloseTo(6 / 7, 10);
    expect(result.chance).toBeCloseTo((4 / 3 + 3 / 2) / 7, 10);
  });

  it('names the task and the field of bad input', () => {
    const subsets = Array.from({ length: 7 }, () => [0, 1]);
    const run = (candidateSets: number[][], labels: number[]) =>
      zeroShotPerImageTasks(model, images, candidates, { colour: { candidates: candidateSets, labels } });
    expect(() => run(subsets.slice(1), new Array(7).fill(0))).toThrow(
      /task 'colour': needs candidates and labels for each of the 7 images, got 6 and 7/,
    );
    expect(() => run([[0, 9], ...subsets.slice(1)], new Array(7).fill(0))).toThrow(
      /candidates\[0\]\[1\] = 9 is not a row of the 5 texts/,
    );
    expect(() => run(subsets, [2, 0, 0, 0, 0, 0, 0])).toThrow(
      /labels\[0\] = 2 is not a position in its 2 candidates/,
    );
    expect(() => run([[], ...subsets.slice(1)], new Array(7).fill(0))).toThrow(
      /image 0 has no candidate texts/,
    );
  });
});
