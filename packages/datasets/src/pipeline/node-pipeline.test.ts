import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openLocal, smoothJpeg, writeFileDeep } from '../../test/fixture-trees';
import { DataPipeline } from './data-pipeline';
import { scanDataset } from './scan-dataset';

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ root, cleanup } = await makeTempDir('node-pipeline'));
  for (let i = 0; i < 9; i++) {
    await writeFileDeep(join(root, `img${i}.jpg`), await smoothJpeg(60 + i, 45, i));
    await writeFileDeep(join(root, `img${i}.txt`), `caption one of ${i}\ncaption two of ${i}\n`);
  }
  const whole = await smoothJpeg(80, 80, 99);
  await writeFileDeep(join(root, 'img9.jpg'), whole.subarray(0, whole.length >> 1));
  await writeFileDeep(join(root, 'img9.txt'), 'truncated');
  await writeFileDeep(join(root, 'imgA.jpg'), await smoothJpeg(60, 45, 10));
  await writeFileDeep(join(root, 'imgB.jpg'), await smoothJpeg(60, 45, 11));
  await writeFileDeep(join(root, 'imgB.txt'), '\n');
});
afterAll(() => cleanup());

describe('pipeline over JPEG files (sharp)', () => {
  it('decodes, augments and batches real files; skips and lists the bad ones with their paths', async () => {
    const dataset = await openLocal(`folder:${root}`);
    expect(dataset.size).toBe(12);
    const pipeline = new DataPipeline({
      dataset,
      batchSize: 3,
      imageSize: 32,
      seed: 3,
      onBadSample: 'skip',
      maxEpochs: 1,
    });
    const batches = [];
    for await (const batch of pipeline) batches.push(batch);
    expect(batches).toHaveLength(3);
    for (const batch of batches) {
      expect(batch.images).toHaveLength(3 * 32 * 32 * 3);
      expect(Math.min(...batch.images)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...batch.images)).toBeLessThanOrEqual(1);
      batch.ids.forEach((id, i) => {
        expect(batch.captions[i]).toMatch(new RegExp(`of ${id.slice(3, 4)}$`));
      });
    }
    expect(pipeline.badSamples.list().map(({ path, reason }) => ({ path, reason }))).toEqual([
      { path: join(root, 'img9.jpg'), reason: 'corrupt-image' },
      { path: join(root, 'imgA.txt'), reason: 'missing-captions' },
      { path: join(root, 'imgB.txt'), reason: 'empty-captions' },
    ]);
  });

  it('stops at the first bad file in error mode', async () => {
    const dataset = await openLocal(`folder:${root}`);
    const pipeline = new DataPipeline({ dataset, batchSize: 12, imageSize: 32, shuffle: false });
    await expect(pipeline.nextBatch()).rejects.toThrow(`${join(root, 'img9.jpg')}: cannot decode image`);
  });

  it('scans a dataset for unusable samples before training', async () => {
    const dataset = await openLocal(`folder:${root}`);
    let progress = 0;
    const report = await scanDataset(dataset, { onProgress: (checked) => (progress = checked) });
    expect(progress).toBe(12);
    expect(report.list().map((entry) => entry.reason)).toEqual([
      'corrupt-image',
      'missing-captions',
      'empty-captions',
    ]);
    const captionsOnly = await scanDataset(dataset, { decodeImages: false });
    expect(captionsOnly.count).toBe(2);
  });
});
