import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { centerCrop } from './center-crop';
import { preprocessPhoto, preprocessPhotos } from './preprocess-photo';
import { resizeShortSide } from './resize-short-side';
import type { RgbImage } from './rgb-image';

const fixture = readFixture('clip/preprocess.safetensors');
const mean = JSON.parse(fixture.metadata['mean']!) as number[];
const std = JSON.parse(fixture.metadata['std']!) as number[];
const groups = fixture
  .names()
  .filter((name) => name.endsWith('.input_u8_hwc'))
  .map((name) => name.slice(0, -'.input_u8_hwc'.length));

function image(name: string): RgbImage {
  const [height, width] = fixture.entry(name).shape as [number, number];
  return { width, height, data: fixture.raw(name) as Uint8Array };
}

/** Largest byte difference and how many bytes differ. */
function byteDifference(actual: RgbImage, name: string): { max: number; differing: number } {
  const expected = image(name);
  expect([actual.height, actual.width]).toEqual([expected.height, expected.width]);
  let max = 0;
  let differing = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i]! - expected.data[i]!);
    max = Math.max(max, d);
    if (d > 0) differing++;
  }
  return { max, differing };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(groups)('CLIP photo preprocessing matches preprocess.safetensors (%s)', (group) => {
  const size = fixture.entry(`${group}.cropped_u8_hwc`).shape[0]!;
  const input = image(`${group}.input_u8_hwc`);

  it('PIL bicubic short-side resize, byte for byte', () => {
    const resized = resizeShortSide(input, size);
    const { max, differing } = byteDifference(resized, `${group}.resized_u8_hwc`);
    console.info(`${group} resize: ${differing} of ${resized.data.length} bytes differ, max ${max}`);
    expect(max).toBeLessThanOrEqual(1);
    expect(differing).toBe(0);
  });

  it('centre crop', () => {
    const { max } = byteDifference(
      centerCrop(image(`${group}.resized_u8_hwc`), size),
      `${group}.cropped_u8_hwc`,
    );
    expect(max).toBe(0);
  });

  it('whole pipeline to normalised channels-last values', () => {
    const values = preprocessPhoto(input, { size, mean, std });
    const expected = fixture.tensor(`${group}.output_chw`);
    const hwc = tf.tidy(() => expected.transpose([1, 2, 0]).dataSync());
    let max = 0;
    for (let i = 0; i < hwc.length; i++) max = Math.max(max, Math.abs(values[i]! - hwc[i]!));
    console.info(`${group} output: max |d| ${max}`);
    expect(max).toBeLessThanOrEqual(1e-6);
    expected.dispose();
    const batch = preprocessPhotos([input, input], { size, mean, std });
    expect(batch.shape).toEqual([2, size, size, 3]);
    batch.dispose();
  });
});

describe('argument checks', () => {
  it('names the bad argument', () => {
    expect(() => resizeShortSide({ width: 2, height: 2, data: new Uint8Array(5) }, 1)).toThrow(
      /resizeShortSide: image/,
    );
    expect(() => centerCrop({ width: 2, height: 2, data: new Uint8Array(12) }, 3)).toThrow(
      /centerCrop: size/,
    );
  });
});
