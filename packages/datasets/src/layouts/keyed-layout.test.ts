import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captionsFor,
  type FixtureImage,
  makeKeyedTree,
  makeTempDir,
  openLocal,
  pixelAt,
} from '../../test/fixture-trees';

const FLOWER_TRAIN: FixtureImage[] = [
  { key: 'image_06734.jpg', width: 50, height: 40 },
  { key: 'image_00001.jpg', width: 40, height: 60 },
];
const FLOWER_TEST: FixtureImage[] = [{ key: 'image_08189.jpg', width: 33, height: 33 }];
const FACE_TRAIN: FixtureImage[] = [
  { key: '0', width: 48, height: 48 },
  { key: '17', width: 48, height: 48 },
  { key: '29999', width: 48, height: 48 },
];
const FACE_TEST: FixtureImage[] = [{ key: '5', width: 48, height: 48 }];

let flowers: string;
let faces: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const flowerDir = await makeTempDir('flowers');
  const faceDir = await makeTempDir('faces');
  flowers = flowerDir.root;
  faces = faceDir.root;
  cleanups.push(flowerDir.cleanup, faceDir.cleanup);
  await makeKeyedTree(
    flowers,
    FLOWER_TRAIN,
    FLOWER_TEST,
    { image: (key) => key, text: (key) => key.replace(/\.jpg$/, '.txt') },
    2,
  );
  await makeKeyedTree(
    faces,
    FACE_TRAIN,
    FACE_TEST,
    { image: (key) => `${key}.jpg`, text: (key) => `${key}.txt` },
    4,
  );
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('flowers (Oxford-102, DF-GAN layout)', () => {
  it('maps keys with .jpg to images/<key> and text/<key without .jpg>.txt, per split', async () => {
    const train = await openLocal(`flowers:${flowers}`);
    expect(train.size).toBe(2);
    expect(train.locate(0)).toEqual({
      id: 'image_06734.jpg',
      imagePath: join(flowers, 'images', 'image_06734.jpg'),
      captionPath: join(flowers, 'text', 'image_06734.txt'),
    });
    // Windows line ends and trailing blank lines are dropped.
    expect(await train.loadCaptions(1)).toEqual(captionsFor('image_00001.jpg', 10));
    const image = await train.loadImage(1);
    expect([image.width, image.height]).toEqual([40, 60]);
    expect(pixelAt(image, 39, 59)).toEqual([39, 59, 1]);
    const all = await openLocal(`flowers:${flowers}`, { split: 'all' });
    expect(Array.from({ length: all.size }, (_, i) => all.id(i))).toEqual([
      'image_06734.jpg',
      'image_00001.jpg',
      'image_08189.jpg',
    ]);
  });
});

describe('faces (MM-CelebA-HQ, RATLIP layout)', () => {
  it('maps bare keys to images/<key>.jpg and text/<key>.txt (protocol 4 pickles)', async () => {
    const train = await openLocal(`faces:${faces}`);
    expect(Array.from({ length: train.size }, (_, i) => train.id(i))).toEqual(['0', '17', '29999']);
    expect(train.locate(2).imagePath).toBe(join(faces, 'images', '29999.jpg'));
    expect(await train.loadCaptions(2)).toEqual(captionsFor('29999', 10));
    const test = await openLocal(`faces:${faces}`, { split: 'test' });
    expect(test.size).toBe(1);
    const image = await test.loadImage(0, { resizeShortSide: 32 });
    expect([image.width, image.height]).toEqual([32, 32]);
  });
});
