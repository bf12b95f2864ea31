import { type RgbImage, SHAPES_SIZES, type ShapesBackground, ShapesDataset } from '@ratlip/datasets';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateMetrics } from '../metrics/evaluate-metrics';
import type { EvalBatch } from '../metrics/metric';
import { shapesObjectCountKey } from '../metrics/shapes-alignment-metric';
import type { ShapesAnalysisImage } from './analysis-image';
import { detectShapesObjects } from './detect-shapes-objects';
import { checkShapesAlignment, SHAPES_ATTRIBUTES } from './shapes-alignment';
import {
  SHAPES_ATTRIBUTE_CHANCE,
  type ShapesAlignmentSummary,
  ShapesAlignmentTally,
} from './shapes-alignment-tally';

/** Images checked per side: enough for both object counts and backgrounds, fast on a loaded machine. */
const SAMPLES: ReadonlyArray<[imageSize: number, count: number]> = [
  [32, 96],
  [64, 96],
  [128, 40],
];
const REAL_MINIMUM = 0.98;

function format(summary: ShapesAlignmentSummary): string {
  const attributes = SHAPES_ATTRIBUTES.map((a) => `${a} ${summary.accuracy[a].toFixed(3)}`).join(', ');
  return `${attributes}, object ${summary.objectAccuracy.toFixed(3)}, count ${summary.countAccuracy.toFixed(3)}, overall ${summary.overall.toFixed(3)} (${summary.samples} images)`;
}

function expectAligned(summary: ShapesAlignmentSummary, label: string): void {
  expect(summary.samples, label).toBeGreaterThan(0);
  for (const attribute of SHAPES_ATTRIBUTES) {
    expect(summary.accuracy[attribute], `${label} ${attribute}`).toBeGreaterThanOrEqual(REAL_MINIMUM);
  }
  expect(summary.countAccuracy, `${label} count`).toBeGreaterThanOrEqual(REAL_MINIMUM);
  expect(summary.overall, `${label} overall`).toBeGreaterThanOrEqual(REAL_MINIMUM);
}

/** One caption per image, chosen at random among the dataset's captions of it. */
function pickCaptions(dataset: ShapesDataset, count: number, seed: number): string[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const captions = dataset.captions(i);
    return captions[random.int(captions.length)]!;
  });
}

/** A generator-like rendering: drawn at twice the side and box-averaged, with noise and a colour cast. */
function degraded(dataset: ShapesDataset, index: number, random: SeededRandom): ShapesAnalysisImage {
  const size = dataset.imageSize;
  const fine = dataset.render(index, 2 * size).data;
  const cast = [0, 1, 2].map(() => 20 * random.uniform() - 10);
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) sum += fine[((2 * y + dy) * 2 * size + 2 * x + dx) * 3 + c]!;
        }
        const value = sum / 4 + cast[c]! + 20 * random.uniform() - 10;
        data[(y * size + x) * 3 + c] = Math.min(255, Math.max(0, value));
      }
    }
  }
  return { width: size, height: size, data };
}

function toMinusOneToOne(images: RgbImage[]): tf.Tensor4D {
  const { width, height } = images[0]!;
  const values = new Float32Array(images.length * width * height * 3);
  images.forEach((image, i) => {
    image.data.forEach((v, k) => {
      values[i * width * height * 3 + k] = v / 127.5 - 1;
    });
  });
  return tf.tensor4d(values, [images.length, height, width, 3]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Shapes alignment', () => {
  it('scores at least 0.98 on real Shapes images (1 and 2 objects, plain and noisy, 32 to 128 px) and near chance with shuffled captions', () => {
    const shuffled = new ShapesAlignmentTally();
    // Per number of objects the shuffled captions describe: images shown with one, and with fewer objects.
    const mismatchedCounts = new Map<number, { images: number; fewer: number; more: number }>();
    const lines: string[] = [];
    for (const [imageSize, count] of SAMPLES) {
      const dataset = new ShapesDataset({ seed: imageSize, split: 'test', imageSize, size: count });
      const captions = pickCaptions(dataset, count, imageSize);
      // One random cycle through all images: no image keeps its own caption.
      const order = new SeededRandom(imageSize + 1).permutation(count);
      const shuffledCaption = new Array<string>(count);
      order.forEach((image, k) => {
        const source = order[(k + 1) % count]!;
        shuffledCaption[image] = captions[source]!;
        const described = dataset.scene(source).objects.length;
        const shown = dataset.scene(image).objects.length;
        const counts = mismatchedCounts.get(described) ?? { images: 0, fewer: 0, more: 0 };
        mismatchedCounts.set(described, counts);
        counts.images++;
        if (shown < described) counts.fewer++;
        if (shown > described) counts.more++;
      });
      const groups = new Map<string, ShapesAlignmentTally>();
      for (let i = 0; i < count; i++) {
        const scene = dataset.scene(i);
        const image = dataset.render(i);
        const key = `${scene.objects.length} object(s), ${scene.background}`;
        const tally = groups.get(key) ?? new ShapesAlignmentTally();
        groups.set(key, tally);
        tally.add(checkShapesAlignment(image, captions[i]!));
        shuffled.add(checkShapesAlignment(image, shuffledCaption[i]!));
      }
      const keys = [...groups.keys()].sort();
      expect(keys).toEqual(
        [1, 2].flatMap((n) => (['noisy', 'plain'] as ShapesBackground[]).map((b) => `${n} object(s), ${b}`)),
      );
      for (const key of keys) {
        const summary = groups.get(key)!.summary();
        lines.push(`${imageSize} px, ${key}: ${format(summary)}`);
        expectAligned(summary, `${imageSize} px, ${key}`);
      }
    }
    const summary = shuffled.summary();
    lines.push(`shuffled captions: ${format(summary)}`);
    lines.push(
      `chance: ${Object.entries(summary.chance)
        .map(([name, value]) => `${name} ${value.toPrecision(3)}`)
        .join(', ')}`,
    );
    console.info(lines.join('\n'));
    for (const attribute of SHAPES_ATTRIBUTES) {
      const chance = SHAPES_ATTRIBUTE_CHANCE[attribute];
      // Below chance a little: a described object with no detected partner (two described, one drawn) counts as wrong.
      expect(summary.accuracy[attribute], attribute).toBeGreaterThan(0.4 * chance);
      expect(summary.accuracy[attribute], attribute).toBeLessThan(1.5 * chance);
    }
    expect(summary.overall).toBeLessThan(0.02);
    // The split by described objects partitions the images and the judged values.
    const groups = Object.entries(summary.byObjectCount);
    expect(groups.map(([count]) => count)).toEqual(['1', '2']);
    expect(groups.reduce((sum, [, group]) => sum + group.samples, 0)).toBe(summary.samples);
    for (const attribute of SHAPES_ATTRIBUTES) {
      const correct = groups.reduce(
        (sum, [count, group]) => sum + group.accuracy[attribute] * group.samples * Number(count),
        0,
      );
      expect(correct / summary.judged[attribute], attribute).toBeCloseTo(summary.accuracy[attribute], 10);
    }
    expect(summary.countAccuracy).toBeLessThan(0.7);
    // The count's errors by direction follow the scenes the captions landed on (real images: detection
    // finds every object), and count, too few and too many partition each group.
    for (const [count, group] of groups) {
      const expected = mismatchedCounts.get(Number(count))!;
      expect(group.samples).toBe(expected.images);
      expect(group.tooFew, `${count} tooFew`).toBeCloseTo(expected.fewer / expected.images, 1);
      expect(group.tooMany, `${count} tooMany`).toBeCloseTo(expected.more / expected.images, 1);
      expect(group.countAccuracy + group.tooFew + group.tooMany).toBeCloseTo(1, 10);
    }
    expect(summary.byObjectCount[1]!.tooFew).toBe(0);
    expect(summary.byObjectCount[2]!.tooFew).toBeGreaterThan(0.2);
    expect(summary.byObjectCount[1]!.tooMany).toBeGreaterThan(0.2);
  });

  it('is not tied to exact renderings: supersampled, noisy, colour-cast images still score at least 0.98', () => {
    const random = new SeededRandom(5);
    for (const imageSize of [32, 64]) {
      const dataset = new ShapesDataset({ seed: 22, split: 'heldout', imageSize, size: 48 });
      const tally = new ShapesAlignmentTally();
      for (let i = 0; i < dataset.size; i++) {
        tally.add(checkShapesAlignment(degraded(dataset, i, random), dataset.captions(i)[0]!));
      }
      console.info(`degraded ${imageSize} px: ${format(tally.summary())}`);
      expectAligned(tally.summary(), `degraded ${imageSize} px`);
    }
  });

  it('judges each attribute on its own: a wrong colour leaves shape, size and position right', () => {
    const dataset = new ShapesDataset({ seed: 3, imageSize: 64, maxObjects: 1, size: 4 });
    const [object] = dataset.scene(0).objects;
    const image = dataset.render(0);
    const wrongColour = object!.colour === 'red' ? 'blue' : 'red';
    const result = checkShapesAlignment(image, {
      objects: [
        { shape: object!.shape, colour: wrongColour, size: object!.size, position: object!.position },
      ],
    });
    expect(result.objects[0]!.correct).toEqual({ colour: false, shape: true, size: true, position: true });
    expect(result.objects[0]!.allCorrect).toBe(false);
    expect(result.countCorrect).toBe(true);
    expect(result.allCorrect).toBe(false);

    const wrongSize = object!.size === 'large' ? 'small' : 'large';
    const missing = checkShapesAlignment(
      image,
      `a ${wrongSize} ${object!.colour} ${object!.shape} and a small white circle in the centre`,
    );
    expect(missing.objects[0]!.correct).toMatchObject({ colour: true, shape: true, size: false });
    expect(missing.objects[1]!.correct).toEqual({
      colour: false,
      shape: false,
      size: false,
      position: false,
    });
    expect(missing.countCorrect).toBe(false);

    const detection = detectShapesObjects(image);
    expect(detection.objects).toHaveLength(1);
    expect(detection.objects[0]).toMatchObject({
      colour: object!.colour,
      shape: object!.shape,
      size: object!.size,
      position: object!.position,
    });
    expect(detection.objects[0]!.fitError).toBeLessThan(0.05);
    expect(Math.abs(detection.objects[0]!.centre[0] - object!.centre[0])).toBeLessThan(0.5 / 64);
    expect(detection.objects[0]!.area).toBeGreaterThan(SHAPES_SIZES.small ** 2);
  });

  it("counts a value shown with another described object's value as borrowed", () => {
    const dataset = new ShapesDataset({ seed: 5, imageSize: 64, twoObjectProbability: 1, size: 40 });
    const index = Array.from({ length: dataset.size }, (_, i) => i).find((i) => {
      const [a, b] = dataset.scene(i).objects;
      return a!.shape !== b!.shape && a!.colour !== b!.colour;
    })!;
    const [a, b] = dataset.scene(index).objects;
    const image = dataset.render(index);
    const describe = (object: typeof a, shape: string) =>
      `a ${object!.size} ${object!.colour} ${shape} ${object!.position.replace('-', ' ')}`;
    const third = ['circle', 'square', 'triangle'].find((shape) => shape !== a!.shape && shape !== b!.shape)!;
    const captions = {
      right: `${describe(a, a!.shape)} and ${describe(b, b!.shape)}`,
      swapped: `${describe(a, b!.shape)} and ${describe(b, a!.shape)}`,
      elsewhere: `${describe(a, third)} and ${describe(b, b!.shape)}`,
    };
    const borrowed = Object.fromEntries(
      Object.entries(captions).map(([name, caption]) => {
        const result = checkShapesAlignment(image, caption);
        expect(result.objects.map((object) => object.shown.shape)).toEqual([a!.shape, b!.shape]);
        const tally = new ShapesAlignmentTally();
        tally.add(result);
        const group = tally.summary().byObjectCount[2]!;
        return [name, { shape: group.accuracy.shape, borrowed: group.borrowed }];
      }),
    );
    const none = { colour: 0, shape: 0, size: 0, position: 0 };
    expect(borrowed).toEqual({
      right: { shape: 1, borrowed: none },
      swapped: { shape: 0, borrowed: { ...none, shape: 1 } },
      elsewhere: { shape: 0.5, borrowed: none },
    });
  });

  it('finds nothing on a bare background and rejects images that are not square', () => {
    const plain = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(128) };
    expect(detectShapesObjects(plain).objects).toEqual([]);
    expect(() => detectShapesObjects({ width: 32, height: 16, data: new Uint8Array(32 * 16 * 3) })).toThrow(
      /detectShapesObjects: image: Shapes images are square .* got 32 x 16/,
    );
    expect(() => detectShapesObjects({ width: 16, height: 16, data: new Uint8Array(10) })).toThrow(
      /data must hold height \* width \* 3 = 768 values, got 10/,
    );
    const tally = new ShapesAlignmentTally();
    tally.add(checkShapesAlignment(plain, 'a photo of a cat'));
    expect(tally.summary()).toMatchObject({ samples: 0, unparsed: 1, overall: 0 });
  });

  it('runs as the shapes-alignment metric on [-1, 1] tensors and reports what makes it comparable', async () => {
    const dataset = new ShapesDataset({ seed: 4, split: 'test', imageSize: 32, size: 24 });
    const batches: EvalBatch[] = [];
    for (let start = 0; start < dataset.size; start += 10) {
      const indices = Array.from({ length: Math.min(10, dataset.size - start) }, (_, k) => start + k);
      batches.push({
        images: toMinusOneToOne(indices.map((i) => dataset.render(i))),
        captions: indices.map((i) => dataset.captions(i)[0]!),
      });
    }
    const before = tf.memory().numTensors - batches.length;
    const report = await evaluateMetrics({
      metrics: [{ metric: 'shapes-alignment', options: { dataset } }],
      batches,
      expectedSamples: dataset.size,
    });
    expect(tf.memory().numTensors).toBe(before);
    const [alignment] = report.metrics;
    expect(alignment!.value).toBe(1);
    expect(alignment!.sampleCount).toBe(dataset.size);
    expect(alignment!.breakdown).toMatchObject({
      colour: 1,
      shape: 1,
      size: 1,
      position: 1,
      count: 1,
      chanceColour: SHAPES_ATTRIBUTE_CHANCE.colour,
      chancePosition: SHAPES_ATTRIBUTE_CHANCE.position,
      [shapesObjectCountKey('shape', 1)]: 1,
      [shapesObjectCountKey('position', 2)]: 1,
      [shapesObjectCountKey('overall', 2)]: 1,
      [shapesObjectCountKey('count', 2)]: 1,
      [shapesObjectCountKey('tooFew', 2)]: 0,
      [shapesObjectCountKey('tooMany', 1)]: 0,
      [shapesObjectCountKey('shapeBorrowed', 2)]: 0,
      [shapesObjectCountKey('colourBorrowed', 2)]: 0,
    });
    expect(alignment!.breakdown).not.toHaveProperty(shapesObjectCountKey('shapeBorrowed', 1));
    const scenes = Array.from({ length: dataset.size }, (_, i) => dataset.scene(i).objects.length);
    for (const objects of [1, 2]) {
      expect(alignment!.breakdown![shapesObjectCountKey('captions', objects)]).toBe(
        scenes.filter((count) => count === objects).length,
      );
    }
    expect(alignment!.settings).toMatchObject({
      checker: 'shapes-alignment/1',
      shapesSeed: 4,
      shapesSplit: 'test',
      shapesSplitSize: 24,
      imageSize: '32',
      shapesGeometry: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    const noCaptions = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    await expect(
      evaluateMetrics({
        metrics: [{ metric: 'shapes-alignment', options: {} }],
        batches: [{ images: noCaptions }],
      }),
    ).rejects.toThrow(/shapes-alignment: every batch needs captions/);
  });
});
