import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coordinateImage,
  encodeImage,
  makeTempDir,
  openLocal,
  smoothJpeg,
  writeFileDeep,
} from '../../test/fixture-trees';
import { DatasetError } from '../errors';

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ root, cleanup } = await makeTempDir('folder'));
  await writeFileDeep(join(root, 'b.jpg'), await smoothJpeg(40, 30, 1));
  await writeFileDeep(join(root, 'b.txt'), 'a photo of b\n\nanother caption of b\n');
  await writeFileDeep(
    join(root, 'a', 'one.png'),
    await encodeImage(coordinateImage(20, 20, 7), 20, 20, 'png'),
  );
  await writeFileDeep(join(root, 'a', 'one.txt'), '\uFEFFonly caption\n');
  await writeFileDeep(join(root, 'a', 'deeper', 'two.JPEG'), await smoothJpeg(30, 30, 2));
  await writeFileDeep(join(root, 'a', 'deeper', 'two.txt'), 'two');
  await writeFileDeep(join(root, '.hidden.jpg'), await smoothJpeg(30, 30, 3));
  await writeFileDeep(join(root, 'notes.md'), 'not an image');
  // Images with broken captions: missing and empty.
  await writeFileDeep(join(root, 'c-no-caption.jpg'), await smoothJpeg(30, 30, 4));
  await writeFileDeep(join(root, 'd-empty.jpg'), await smoothJpeg(30, 30, 5));
  await writeFileDeep(join(root, 'd-empty.txt'), '\n  \n');
  // A JPEG cut in half.
  const whole = await smoothJpeg(64, 64, 6);
  await writeFileDeep(join(root, 'e-corrupt.jpg'), whole.subarray(0, whole.length >> 1));
  await writeFileDeep(join(root, 'e-corrupt.txt'), 'a corrupt image');
});
afterAll(() => cleanup());

async function errorOf(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DatasetError)) throw new Error(`expected a DatasetError, got ${String(error)}`);
  return error;
}

describe('folder datasets', () => {
  it('lists images recursively in path order with the caption file beside each', async () => {
    const dataset = await openLocal(`folder:${root}`);
    const ids = Array.from({ length: dataset.size }, (_, i) => dataset.id(i));
    expect(ids).toEqual([
      'a/deeper/two.JPEG',
      'a/one.png',
      'b.jpg',
      'c-no-caption.jpg',
      'd-empty.jpg',
      'e-corrupt.jpg',
    ]);
    expect(await dataset.loadCaptions(2)).toEqual(['a photo of b', 'another caption of b']);
    expect(await dataset.loadCaptions(1)).toEqual(['only caption']);
    expect(dataset.locate(0).captionPath).toBe(join(root, 'a', 'deeper', 'two.txt'));
    const image = await dataset.loadImage(1);
    expect([image.width, image.height, image.data[3 * 21]]).toEqual([20, 20, 1]);
  });

  it('reports a missing caption file, an empty one and a corrupt JPEG with their paths', async () => {
    const dataset = await openLocal(`folder:${root}`);
    const missing = await errorOf(dataset.loadCaptions(3));
    expect(missing.code).toBe('missing-captions');
    expect(missing.path).toBe(join(root, 'c-no-caption.txt'));
    expect(missing.message).toContain(join(root, 'c-no-caption.txt'));
    const empty = await errorOf(dataset.loadCaptions(4));
    expect(empty.code).toBe('empty-captions');
    expect(empty.message).toContain(join(root, 'd-empty.txt'));
    const corrupt = await errorOf(dataset.loadImage(5));
    expect(corrupt.code).toBe('corrupt-image');
    expect(corrupt.message).toContain(join(root, 'e-corrupt.jpg'));
    expect(corrupt.isBadSample).toBe(true);
  });

  it('partitions train/test by hashed path, stable and disjoint', async () => {
    const all = await openLocal(`folder:${root}`);
    const train = await openLocal(`folder:${root}`, { split: 'train', testFraction: 0.5 });
    const test = await openLocal(`folder:${root}`, { split: 'test', testFraction: 0.5 });
    const ids = (d: typeof all) => Array.from({ length: d.size }, (_, i) => d.id(i));
    expect([...ids(train), ...ids(test)].sort()).toEqual(ids(all).sort());
    expect(ids(train).filter((id) => ids(test).includes(id))).toEqual([]);
    const again = await openLocal(`folder:${root}`, { split: 'test', testFraction: 0.5 });
    expect(ids(again)).toEqual(ids(test));
    expect((await openLocal(`folder:${root}`, { split: 'test', testFraction: 0 })).size).toBe(0);
  });

  it('refuses a missing or image-less folder', async () => {
    await expect(openLocal(`folder:${join(root, 'missing')}`)).rejects.toThrow(/missing: folder not found/);
    await expect(openLocal(`folder:${join(root, 'a', 'deeper', 'none')}`)).rejects.toThrow(
      /folder not found/,
    );
    const { root: empty, cleanup: done } = await makeTempDir('folder-empty');
    await writeFileDeep(join(empty, 'x.txt'), 'caption without image');
    await expect(openLocal(`folder:${empty}`)).rejects.toThrow(/no images found/);
    await done();
  });
});
