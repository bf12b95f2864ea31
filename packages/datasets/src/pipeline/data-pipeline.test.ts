import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryDataset } from '../../test/memory-dataset';
import { DatasetError } from '../errors';
import { ShapesDataset } from '../shapes/shapes-dataset';
import { batchToTensors } from './batch-tensors';
import { type DataBatch, DataPipeline } from './data-pipeline';
import { planEpoch } from './epoch-plan';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function take(pipeline: DataPipeline, count: number): Promise<DataBatch[]> {
  const batches: DataBatch[] = [];
  for (let i = 0; i < count; i++) {
    const batch = await pipeline.nextBatch();
    if (!batch) break;
    batches.push(batch);
  }
  return batches;
}

function sameBatch(a: DataBatch, b: DataBatch): void {
  expect(b.indices).toEqual(a.indices);
  expect(b.captions).toEqual(a.captions);
  expect(b.epoch).toBe(a.epoch);
  expect(b.batchInEpoch).toBe(a.batchInEpoch);
  expect(b.images).toEqual(a.images);
}

/** Polls (without timing assertions) until `condition` holds or many event-loop turns have passed. */
async function settle(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn++)
    await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('DataPipeline', () => {
  it('visits every sample once per epoch in a seeded order, drops the last partial batch, stops at maxEpochs', async () => {
    const dataset = new MemoryDataset(10);
    const pipeline = new DataPipeline({ dataset, batchSize: 3, imageSize: 16, seed: 5, maxEpochs: 3 });
    expect(pipeline.batchesPerEpoch).toBe(3);
    const batches = await take(pipeline, 20);
    expect(batches).toHaveLength(9);
    expect(await pipeline.nextBatch()).toBeUndefined();
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const inEpoch = batches.filter((batch) => batch.epoch === epoch);
      expect(inEpoch.map((batch) => batch.batchInEpoch)).toEqual([0, 1, 2]);
      const indices = inEpoch.flatMap((batch) => batch.indices);
      expect(new Set(indices).size).toBe(9);
      orders.push(indices);
      const expected = planEpoch(
        epoch === 0 ? new SeededRandom(5).getState() : inEpoch[0]!.stateAfter.epochRngState,
        10,
        true,
      );
      expect(indices).toEqual([...expected.order.subarray(0, 9)]);
    }
    expect(orders[0]).not.toEqual(orders[1]);
    for (const batch of batches) {
      batch.indices.forEach((index, i) => {
        expect(dataset.captionsOf(index)).toContain(batch.captions[i]);
      });
      expect(batch.ids).toEqual(batch.indices.map((index) => `s${index}`));
    }
    const unshuffled = await take(
      new DataPipeline({ dataset, batchSize: 5, imageSize: 16, shuffle: false, dropLast: false }),
      3,
    );
    expect(unshuffled.map((batch) => batch.indices)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4],
    ]);
  });

  it('groups batches into runs of samples sharing a key, and resumes to the same batches', async () => {
    const dataset = new MemoryDataset(24);
    const group = { key: (index: number) => String(index % 3), size: 4 };
    const pipeline = new DataPipeline({ dataset, batchSize: 8, imageSize: 16, seed: 3, group });
    const batches = await take(pipeline, 4);
    for (const batch of batches) {
      for (const run of [batch.indices.slice(0, 4), batch.indices.slice(4, 8)]) {
        expect(new Set(run.map((index) => index % 3)).size).toBe(1);
      }
    }
    const resumed = new DataPipeline({
      dataset,
      batchSize: 8,
      imageSize: 16,
      seed: 3,
      group,
      resume: batches[1]!.stateAfter,
    });
    expect((await take(resumed, 2)).map((batch) => batch.indices)).toEqual(
      batches.slice(2, 4).map((batch) => batch.indices),
    );
    pipeline.close();
    resumed.close();
  });

  it('applies the reference augmentation: resize to floor(size*76/64), random crop, random flip, [-1, 1]', async () => {
    const dataset = new MemoryDataset(6, { width: 40, height: 30 });
    const pipeline = new DataPipeline({ dataset, batchSize: 6, imageSize: 16, seed: 9, shuffle: false });
    expect(pipeline.resizeShortSide).toBe(19);
    const [batch] = await take(pipeline, 1);
    const plan = planEpoch(new SeededRandom(9).getState(), 6, false);
    const flips = new Set<boolean>();
    for (let i = 0; i < 6; i++) {
      // The source is 40x30, resized to 25x19 (nearest in the test dataset), so pixel x maps to floor(x * 40 / 25).
      const left = Math.floor(plan.draws[i * 4 + 1]! * (25 - 16 + 1));
      const top = Math.floor(plan.draws[i * 4 + 2]! * (19 - 16 + 1));
      const flip = plan.draws[i * 4 + 3]! < 0.5;
      flips.add(flip);
      const caption = dataset.captionsOf(i)[Math.floor(plan.draws[i * 4]! * 3)];
      expect(batch!.captions[i]).toBe(caption);
      const base = i * 16 * 16 * 3;
      for (const [x, y] of [
        [0, 0],
        [15, 0],
        [3, 11],
      ] as const) {
        const sourceX = Math.floor(((flip ? left + 15 - x : left + x) * 40) / 25);
        const sourceY = Math.floor(((top + y) * 30) / 19);
        const at = base + (y * 16 + x) * 3;
        expect(batch!.images[at]).toBeCloseTo(sourceX / 127.5 - 1, 6);
        expect(batch!.images[at + 1]).toBeCloseTo(sourceY / 127.5 - 1, 6);
        expect(batch!.images[at + 2]).toBeCloseTo(i / 127.5 - 1, 6);
      }
    }
    expect(flips.size).toBe(2);
    expect(Math.min(...batch!.images)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...batch!.images)).toBeLessThanOrEqual(1);
  });

  it('does not augment Shapes by default (captions name positions): rendered at the size, no flip', async () => {
    const dataset = new ShapesDataset({ seed: 2, size: 8, imageSize: 32 });
    const pipeline = new DataPipeline({ dataset, batchSize: 4, imageSize: 32, shuffle: false });
    expect([pipeline.augment, pipeline.flip, pipeline.resizeShortSide]).toEqual([false, false, 32]);
    const [batch] = await take(pipeline, 1);
    for (let i = 0; i < 4; i++) {
      const rendered = dataset.render(i);
      const offset = i * 32 * 32 * 3;
      for (let k = 0; k < rendered.data.length; k += 97) {
        expect(batch!.images[offset + k]).toBeCloseTo(rendered.data[k]! / 127.5 - 1, 6);
      }
      expect(dataset.captions(i)).toContain(batch!.captions[i]);
    }
  });

  it('resumes exactly from any saved state, in a new pipeline or the same one', async () => {
    const dataset = new MemoryDataset(10, { width: 24, height: 20 });
    const options = { dataset, batchSize: 3, imageSize: 16, seed: 77 };
    const reference = await take(new DataPipeline(options), 8);
    for (const from of [0, 2, 4]) {
      const saved = JSON.parse(JSON.stringify(reference[from]!.stateAfter));
      const resumed = await take(new DataPipeline({ ...options, resume: saved }), 8 - from - 1);
      resumed.forEach((batch, i) => {
        sameBatch(reference[from + 1 + i]!, batch);
      });
    }
    const pipeline = new DataPipeline(options);
    const first = await take(pipeline, 6);
    first.forEach((batch, i) => {
      sameBatch(reference[i]!, batch);
    });
    pipeline.resumeFrom(reference[1]!.stateAfter);
    expect(pipeline.state).toEqual(reference[1]!.stateAfter);
    const again = await take(pipeline, 3);
    again.forEach((batch, i) => {
      sameBatch(reference[2 + i]!, batch);
    });
    expect(pipeline.state).toEqual(reference[4]!.stateAfter);
    expect(() =>
      new DataPipeline({ ...options, dataset: new MemoryDataset(11) }).resumeFrom(reference[0]!.stateAfter),
    ).toThrow(/saved with a dataset of 10 samples, this one has 11/);
    pipeline.close();
  });

  it('prefetches batches in the background up to the limit, then waits', async () => {
    const dataset = new MemoryDataset(40);
    const pipeline = new DataPipeline({ dataset, batchSize: 4, imageSize: 16, prefetch: 3, concurrency: 2 });
    await settle(() => pipeline.bufferedBatches === 3);
    expect(pipeline.bufferedBatches).toBe(3);
    expect(dataset.imageLoads).toBe(12);
    await pipeline.nextBatch();
    await settle(() => pipeline.bufferedBatches === 3);
    expect(dataset.imageLoads).toBe(16);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(dataset.imageLoads).toBe(16);
    pipeline.close();
    expect(await pipeline.nextBatch()).toBeUndefined();
  });

  it('tokenizes with the injected function and uploads batches as tensors without leaks', async () => {
    const dataset = new MemoryDataset(8);
    const tokenize = (texts: string[]) => {
      const ids = new Int32Array(texts.length * 5);
      texts.forEach((text, i) => {
        ids.set([49406, text.length, 0, 0, 49407], i * 5);
      });
      return ids;
    };
    const pipeline = new DataPipeline({ dataset, batchSize: 4, imageSize: 16, tokenize });
    const batch = (await pipeline.nextBatch())!;
    expect(batch.contextLength).toBe(5);
    expect(batch.tokens![1]).toBe(batch.captions[0]!.length);
    const before = tf.memory().numTensors;
    const tensors = batchToTensors(batch);
    expect(tensors.images.shape).toEqual([4, 16, 16, 3]);
    expect(tensors.tokens!.shape).toEqual([4, 5]);
    expect(tensors.tokens!.dtype).toBe('int32');
    tf.dispose([tensors.images, tensors.tokens!]);
    expect(tf.memory().numTensors).toBe(before);
    pipeline.close();
    const broken = new DataPipeline({
      dataset,
      batchSize: 4,
      imageSize: 16,
      tokenize: () => new Int32Array(3),
    });
    await expect(broken.nextBatch()).rejects.toThrow(
      /tokenize must return an Int32Array of batch \* contextLength ids/,
    );
  });

  it('stops on a bad sample naming its file, or skips it, counts it and lists it', async () => {
    const bad = { corrupt: [2, 5], missingCaptions: [7] };
    const stopping = new DataPipeline({
      dataset: new MemoryDataset(12, { corrupt: [5, 4] }),
      batchSize: 3,
      imageSize: 16,
      shuffle: false,
    });
    expect(await stopping.nextBatch()).toBeDefined();
    const error = await stopping.nextBatch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    // The first bad sample in visiting order is reported, whatever order the decodes finished in.
    expect((error as DatasetError).message).toBe('/memory/4.jpg: cannot decode image');
    expect((error as DatasetError).code).toBe('corrupt-image');
    await expect(stopping.nextBatch()).rejects.toBe(error);

    const dataset = new MemoryDataset(12, bad);
    const skipping = new DataPipeline({
      dataset,
      batchSize: 3,
      imageSize: 16,
      seed: 1,
      onBadSample: 'skip',
      maxEpochs: 2,
    });
    const batches = await take(skipping, 10);
    expect(batches).toHaveLength(6);
    for (const batch of batches) {
      expect(batch.size).toBe(3);
      expect(batch.indices.filter((index) => [2, 5, 7].includes(index))).toEqual([]);
    }
    expect(skipping.badSamples.count).toBe(3);
    expect(skipping.badSamples.occurrences).toBe(6);
    expect(
      skipping.badSamples.toJSON().samples.map(({ index, path, reason }) => ({ index, path, reason })),
    ).toEqual([
      { index: 2, path: '/memory/2.jpg', reason: 'corrupt-image' },
      { index: 5, path: '/memory/5.jpg', reason: 'corrupt-image' },
      { index: 7, path: '/memory/7.txt', reason: 'missing-captions' },
    ]);
    // Skipping is deterministic, so resuming still reproduces the run.
    const resumed = await take(
      new DataPipeline({
        dataset,
        batchSize: 3,
        imageSize: 16,
        seed: 1,
        onBadSample: 'skip',
        resume: batches[1]!.stateAfter,
      }),
      4,
    );
    resumed.forEach((batch, i) => {
      sameBatch(batches[2 + i]!, batch);
    });
  });

  it('refuses impossible settings instead of looping', async () => {
    expect(() => new DataPipeline({ dataset: new MemoryDataset(3), batchSize: 4, imageSize: 16 })).toThrow(
      /has 3 samples, fewer than one batch of 4/,
    );
    expect(
      () =>
        new DataPipeline({ dataset: new MemoryDataset(3), batchSize: 1, imageSize: 16, resizeShortSide: 8 }),
    ).toThrow(/resizeShortSide must be an integer >= 16/);
    const allBad = new DataPipeline({
      dataset: new MemoryDataset(4, { corrupt: [0, 1, 2, 3] }),
      batchSize: 2,
      imageSize: 16,
      onBadSample: 'skip',
    });
    await expect(allBad.nextBatch()).rejects.toThrow(
      /epoch 0 of the memory dataset produced no batch \(4 of 4 samples are unusable\)/,
    );
  });
});
