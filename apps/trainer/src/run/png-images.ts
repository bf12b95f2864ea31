import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

/** Gap between grid cells, in pixels. */
const GRID_GAP = 2;

/**
 * Pixels of images in [-1, 1] as 8-bit RGB.
 * @param images `[count, height, width, 3]` floats in [-1, 1] (not disposed).
 */
export function imagesToBytes(images: tf.Tensor4D): Uint8Array {
  const bytes = tf.tidy(() =>
    tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(images, 1), 127.5)), 0, 255), 'int32'),
  );
  try {
    return Uint8Array.from(bytes.dataSync());
  } finally {
    bytes.dispose();
  }
}

/** Writes one RGB image of `width x height` bytes as a PNG. */
export async function writeRgbPng(
  path: string,
  pixels: Uint8Array,
  width: number,
  height: number,
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width, height, channels: 3 },
  })
    .png()
    .toFile(path);
}

/**
 * Writes images as one PNG grid (white gaps between cells).
 * @param images `[count, size, size, 3]` in [-1, 1] (not disposed).
 * @param columns cells per row. Default: the square root of the count, rounded up.
 */
export async function writeImageGrid(path: string, images: tf.Tensor4D, columns?: number): Promise<void> {
  const [count, height, width] = images.shape;
  const perRow = columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / perRow);
  const gridWidth = perRow * width + (perRow - 1) * GRID_GAP;
  const gridHeight = rows * height + (rows - 1) * GRID_GAP;
  const grid = new Uint8Array(gridWidth * gridHeight * 3).fill(255);
  const pixels = imagesToBytes(images);
  for (let index = 0; index < count; index++) {
    const left = (index % perRow) * (width + GRID_GAP);
    const top = Math.floor(index / perRow) * (height + GRID_GAP);
    for (let y = 0; y < height; y++) {
      const from = (index * height * width + y * width) * 3;
      grid.set(pixels.subarray(from, from + width * 3), ((top + y) * gridWidth + left) * 3);
    }
  }
  await writeRgbPng(path, grid, gridWidth, gridHeight);
}

/** Writes each image as its own PNG; `pathOf(i)` names image i. */
export async function writeSinglePngs(
  images: tf.Tensor4D,
  pathOf: (index: number) => string,
): Promise<string[]> {
  const [count, height, width] = images.shape;
  const pixels = imagesToBytes(images);
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const size = height * width * 3;
    const path = pathOf(index);
    await writeRgbPng(path, pixels.slice(index * size, (index + 1) * size), width, height);
    paths.push(path);
  }
  return paths;
}
