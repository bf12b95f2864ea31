import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { nodeDatasetIO } from '../src/node/node-dataset-io';
import { writeStringListPickle } from '../src/pickle/write-string-list-pickle';
import { type DatasetSpec, type OpenDatasetOptions, openDataset } from '../src/registry';
import type { TextImageDataset } from '../src/types';

/** A temporary folder removed by `cleanup`. */
export async function makeTempDir(prefix: string): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `ratlip-datasets-${prefix}-`));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function writeFileDeep(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/**
 * RGB pixels where each pixel encodes its position: R = x, G = y (mod 256), B = `seed`. Lossless
 * formats keep this exactly, so crops can be checked pixel by pixel.
 */
export function coordinateImage(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x % 256;
      data[i + 1] = y % 256;
      data[i + 2] = seed % 256;
    }
  }
  return data;
}

/** Encodes RGB pixels as PNG (lossless) or JPEG. */
export async function encodeImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  format: 'png' | 'jpeg',
): Promise<Uint8Array> {
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  const buffer =
    format === 'png' ? await image.png().toBuffer() : await image.jpeg({ quality: 90 }).toBuffer();
  return new Uint8Array(buffer);
}

/** A JPEG with smooth random-ish content, for decode and throughput tests. */
export async function smoothJpeg(width: number, height: number, seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (128 + 100 * Math.sin((x + seed * 13) / 17)) | 0;
      data[i + 1] = (128 + 100 * Math.cos((y + seed * 7) / 23)) | 0;
      data[i + 2] = ((x + y + seed * 31) * 3) % 256;
    }
  }
  return encodeImage(data, width, height, 'jpeg');
}

export function captionsFor(key: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `caption ${i} of ${key}`);
}

/** One fixture image: its key, size and (for birds) bounding box. */
export interface FixtureImage {
  key: string;
  width: number;
  height: number;
  box?: [number, number, number, number];
}

/**
 * CUB-200-2011 in DF-GAN's `data/birds` layout. Images are PNG bytes under `.jpg` names (the decoder
 * reads the content, and lossless pixels make the crop checkable).
 */
export async function makeBirdsTree(
  root: string,
  train: FixtureImage[],
  test: FixtureImage[],
): Promise<void> {
  const all = [...train, ...test];
  const imagesTxt: string[] = [];
  const boxesTxt: string[] = [];
  for (const [i, image] of all.entries()) {
    imagesTxt.push(`${i + 1} ${image.key}.jpg`);
    boxesTxt.push(`${i + 1} ${image.box!.map((v) => v.toFixed(1)).join(' ')}`);
    const pixels = coordinateImage(image.width, image.height, i);
    await writeFileDeep(
      join(root, 'CUB_200_2011', 'images', `${image.key}.jpg`),
      await encodeImage(pixels, image.width, image.height, 'png'),
    );
    await writeFileDeep(join(root, 'text', `${image.key}.txt`), `${captionsFor(image.key, 10).join('\n')}\n`);
  }
  await writeFileDeep(join(root, 'CUB_200_2011', 'images.txt'), `${imagesTxt.join('\n')}\n`);
  await writeFileDeep(join(root, 'CUB_200_2011', 'bounding_boxes.txt'), `${boxesTxt.join('\n')}\n`);
  await writeFileDeep(
    join(root, 'train', 'filenames.pickle'),
    writeStringListPickle(train.map((i) => i.key)),
  );
  await writeFileDeep(join(root, 'test', 'filenames.pickle'), writeStringListPickle(test.map((i) => i.key)));
}

/**
 * The `images/` + `text/` + `{train,test}/filenames.pickle` layout of flowers and faces. `imageName`
 * maps a key to its file under `images/`, `textName` to its caption file under `text/`.
 */
export async function makeKeyedTree(
  root: string,
  train: FixtureImage[],
  test: FixtureImage[],
  names: { image: (key: string) => string; text: (key: string) => string },
  pickleProtocol: 0 | 2 | 4,
): Promise<void> {
  for (const [i, image] of [...train, ...test].entries()) {
    const pixels = coordinateImage(image.width, image.height, i);
    await writeFileDeep(
      join(root, 'images', names.image(image.key)),
      await encodeImage(pixels, image.width, image.height, 'png'),
    );
    await writeFileDeep(
      join(root, 'text', names.text(image.key)),
      `${captionsFor(image.key, 10).join('\r\n')}\r\n\r\n`,
    );
  }
  await writeFileDeep(
    join(root, 'train', 'filenames.pickle'),
    writeStringListPickle(
      train.map((i) => i.key),
      { protocol: pickleProtocol },
    ),
  );
  await writeFileDeep(
    join(root, 'test', 'filenames.pickle'),
    writeStringListPickle(
      test.map((i) => i.key),
      { protocol: pickleProtocol },
    ),
  );
}

/** Reads pixel `(x, y)` of an RGB image. */
export function pixelAt(
  image: { width: number; data: Uint8Array },
  x: number,
  y: number,
): [number, number, number] {
  const i = (y * image.width + x) * 3;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

/** `openDataset` on the local disk with sharp, as a Node user calls it. */
export function openLocal(
  spec: string | DatasetSpec,
  options: OpenDatasetOptions = {},
): Promise<TextImageDataset> {
  return openDataset(spec, { io: nodeDatasetIO(), ...options });
}
