import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captionsFor,
  type FixtureImage,
  makeBirdsTree,
  makeTempDir,
  openLocal,
  pixelAt,
} from '../../test/fixture-trees';
import { DatasetError } from '../errors';
import { cubCropBox } from './cub-crop';

const TRAIN: FixtureImage[] = [
  {
    key: '001.Black_footed_Albatross/Black_Footed_Albatross_0001_796111',
    width: 100,
    height: 80,
    box: [60, 10, 30, 50],
  },
  {
    key: '001.Black_footed_Albatross/Black_Footed_Albatross_0002_55',
    width: 64,
    height: 48,
    box: [20, 15, 24, 18],
  },
  { key: '002.Laysan_Albatross/Laysan_Albatross_0001_545', width: 90, height: 120, box: [5, 30, 40, 60] },
];
const TEST: FixtureImage[] = [
  {
    key: '200.Common_Yellowthroat/Common_Yellowthroat_0003_190521',
    width: 120,
    height: 90,
    box: [10.5, 20, 33.3, 41.7],
  },
  { key: '200.Common_Yellowthroat/Common_Yellowthroat_0005_190', width: 70, height: 70, box: [0, 0, 70, 70] },
];

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ root, cleanup } = await makeTempDir('birds'));
  await makeBirdsTree(root, TRAIN, TEST);
});
afterAll(() => cleanup());

describe('birds (CUB-200-2011, DF-GAN layout)', () => {
  it('reads the train, test and all splits in pickle order with their captions', async () => {
    const train = await openLocal(`birds:${root}`);
    expect(train.kind).toBe('birds');
    expect(train.split).toBe('train');
    expect(Array.from({ length: train.size }, (_, i) => train.id(i))).toEqual(
      TRAIN.map((image) => image.key),
    );
    const test = await openLocal({ kind: 'birds', path: root, split: 'test' });
    expect(Array.from({ length: test.size }, (_, i) => test.id(i))).toEqual(TEST.map((image) => image.key));
    const all = await openLocal(`birds:${root}`, { split: 'all' });
    expect(all.size).toBe(TRAIN.length + TEST.length);
    expect(await test.loadCaptions(1)).toEqual(captionsFor(TEST[1]!.key, 10));
    expect(train.locate(0)).toEqual({
      id: TRAIN[0]!.key,
      imagePath: join(root, 'CUB_200_2011', 'images', `${TRAIN[0]!.key}.jpg`),
      captionPath: join(root, 'text', `${TRAIN[0]!.key}.txt`),
    });
  });

  it('crops every image to 1.5x its bounding box, pixel-exact', async () => {
    const all = await openLocal(`birds:${root}`, { split: 'all' });
    const images = [...TRAIN, ...TEST];
    for (let i = 0; i < all.size; i++) {
      const source = images[i]!;
      const crop = cubCropBox(source.box!, source.width, source.height);
      const image = await all.loadImage(i);
      expect([image.width, image.height]).toEqual([crop.width, crop.height]);
      // The fixture pixel at (x, y) is (x, y, image number).
      expect(pixelAt(image, 0, 0)).toEqual([crop.left, crop.top, i]);
      expect(pixelAt(image, crop.width - 1, crop.height - 1)).toEqual([
        crop.left + crop.width - 1,
        crop.top + crop.height - 1,
        i,
      ]);
    }
  });

  it('resizes the cropped image like torchvision Resize(short side), and can skip the crop', async () => {
    const train = await openLocal(`birds:${root}`);
    // Image 0 crops to 62x72: short side 62 -> 38, long side floor(38 * 72 / 62) = 44.
    const resized = await train.loadImage(0, { resizeShortSide: 38 });
    expect([resized.width, resized.height]).toEqual([38, 44]);
    const uncropped = await openLocal(`birds:${root}`, { boundingBoxCrop: false });
    const full = await uncropped.loadImage(0);
    expect([full.width, full.height]).toEqual([100, 80]);
  });

  it('names the file when the layout is broken', async () => {
    const { root: broken, cleanup: done } = await makeTempDir('birds-broken');
    try {
      await makeBirdsTree(broken, TRAIN.slice(0, 1), TEST.slice(0, 1));
      await writeFile(join(broken, 'CUB_200_2011', 'bounding_boxes.txt'), '1 1 2 3\n');
      await expect(openLocal(`birds:${broken}`)).rejects.toThrow(
        /bounding_boxes\.txt:1: expected "<id> <x> <y> <w> <h>"/,
      );
      await writeFile(join(broken, 'CUB_200_2011', 'images.txt'), '');
      await writeFile(join(broken, 'CUB_200_2011', 'bounding_boxes.txt'), '');
      await expect(openLocal(`birds:${broken}`)).rejects.toThrow(/images\.txt: no entry for "001\.Black/);
      await writeFile(join(broken, 'train', 'filenames.pickle'), Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]));
      const error = await openLocal(`birds:${broken}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).code).toBe('bad-pickle');
      expect((error as DatasetError).message).toContain(join(broken, 'train', 'filenames.pickle'));
      await expect(openLocal(`birds:${join(broken, 'nowhere')}`)).rejects.toThrow(
        /nowhere\/train\/filenames\.pickle: the train split's filename list not found/,
      );
      await expect(openLocal(`birds:${broken}`, { split: 'val' })).rejects.toThrow(
        /split must be one of train, test, all/,
      );
    } finally {
      await done();
    }
  });
});
