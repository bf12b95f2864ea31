import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureStatisticsAccumulator, InceptionV3, readStatisticsNpz } from '@ratlip/eval';
import { openSafetensorsFile, saveSafetensorsFile } from '@ratlip/runtime/node';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeProceduralInceptionWeights } from '../eval/procedural-inception.test-support';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

const folder = temporaryFolder();
const weightsPath = join(folder, 'inception.safetensors');
const imagesFolder = join(folder, 'images');

/** Image sizes of the test folder: two share a size (one batch), one does not. */
const IMAGES = [
  { name: 'a.png', width: 32, height: 32 },
  { name: 'b.png', width: 32, height: 32 },
  { name: 'sub/c.png', width: 40, height: 24 },
];

function pixels(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i * i) % 13)) % 256;
  return data;
}

function maxAbs(values: Float64Array): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}

function maxDifference(actual: Float64Array, expected: Float64Array): number {
  return expected.reduce((max, value, i) => Math.max(max, Math.abs(value - actual[i]!)), 0);
}

beforeAll(async () => {
  await writeProceduralInceptionWeights(weightsPath);
  for (const [index, image] of IMAGES.entries()) {
    const { width, height } = image;
    const path = join(imagesFolder, image.name);
    mkdirSync(join(path, '..'), { recursive: true });
    await sharp(pixels(width, height, index), { raw: { width, height, channels: 3 } })
      .png()
      .toFile(path);
  }
});

describe('ratlip fid stats', { timeout: 300_000 }, () => {
  it('writes mu and sigma of an image folder equal to per-image Inception features', async () => {
    const out = join(folder, 'folder.npz');
    const run = await runCaptured([
      'fid',
      'stats',
      imagesFolder,
      '--out',
      out,
      '--weights',
      weightsPath,
      '--batch-size',
      '2',
      '--backend',
      'wasm',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `wrote ${out}: mu [2048], sigma [2048, 2048] of 3 images (pytorch-fid Inception-v3`,
    );
    const written = readStatisticsNpz(new Uint8Array(readFileSync(out)), { source: out });

    const file = openSafetensorsFile(weightsPath);
    const extractor = InceptionV3.fromStateDict(
      {
        source: weightsPath,
        has: (n) => file.has(n),
        shape: (n) => file.entry(n).shape,
        float32: (n) => file.float32(n),
      },
      { convention: 'pytorch-fid' },
    );
    file.close();
    const accumulator = new FeatureStatisticsAccumulator(extractor.dim);
    for (const [index, { width, height }] of IMAGES.entries()) {
      const features = tf.tidy(() =>
        extractor.extract(
          tf.tensor4d(pixels(width, height, index), [1, height, width, 3]).div(255) as tf.Tensor4D,
        ),
      );
      accumulator.add(features.dataSync());
      features.dispose();
    }
    extractor.dispose();
    const expected = accumulator.finish();
    expect(written.dim).toBe(expected.dim);
    expect(maxDifference(written.mean, expected.mean)).toBeLessThanOrEqual(1e-4 * maxAbs(expected.mean));
    expect(maxDifference(written.covariance, expected.covariance)).toBeLessThanOrEqual(
      1e-4 * maxAbs(expected.covariance),
    );
  });

  it('reads a dataset spec and honours --limit', async () => {
    const out = join(folder, 'shapes.npz');
    const run = await runCaptured([
      'fid',
      'stats',
      'shapes:imageSize=32',
      '--limit',
      '2',
      '--out',
      out,
      '--weights',
      weightsPath,
      '--inception',
      'fid',
      '--backend',
      'wasm',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('of 2 images (pytorch-fid Inception-v3');
    expect(readStatisticsNpz(new Uint8Array(readFileSync(out))).dim).toBe(2048);
  });
});

describe('ratlip fid stats errors', () => {
  const out = () => join(folder, 'never.npz');

  it('requires --weights (exit 2)', async () => {
    const run = await runCaptured(['fid', 'stats', imagesFolder, '--out', out()]);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe(
      'ratlip fid stats: --weights: required: FID needs Inception-v3 weights as .safetensors or .pth (see ratlip fid stats --help)',
    );
  });

  it('requires --out (exit 2)', async () => {
    const run = await runCaptured(['fid', 'stats', imagesFolder, '--weights', weightsPath]);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe("ratlip fid stats: required option '--out <file.npz>' not specified");
  });

  it('fails on missing weights (exit 1)', async () => {
    const missing = join(folder, 'absent.safetensors');
    const run = await runCaptured(['fid', 'stats', imagesFolder, '--out', out(), '--weights', missing]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(`ratlip fid stats: weights file not found: ${missing}`);
  });

  it('fails on weights that are not Inception-v3', async () => {
    const other = join(folder, 'other.safetensors');
    await saveSafetensorsFile(other, {
      'fc.weight': { dtype: 'F32', shape: [1000, 2], data: new Float32Array(2000) },
    });
    const run = await runCaptured(['fid', 'stats', imagesFolder, '--out', out(), '--weights', other]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(/^ratlip fid stats: .*Inception-v3 tensors missing/);
  });

  it('fails when the convention cannot be told from the weights', async () => {
    const other = join(folder, 'no-fc.safetensors');
    await saveSafetensorsFile(other, { x: { dtype: 'F32', shape: [1], data: [0] } });
    const run = await runCaptured(['fid', 'stats', imagesFolder, '--out', out(), '--weights', other]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain('pass --inception fid or --inception torchvision');
  });

  it('fails before any work when the output folder does not exist', async () => {
    const out = join(folder, 'no-such-folder', 'stats.npz');
    const run = await runCaptured(['fid', 'stats', imagesFolder, '--out', out, '--weights', weightsPath]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(
      `ratlip fid stats: output folder not found: ${join(folder, 'no-such-folder')}`,
    );
  });

  it('fails on a path that is neither a folder nor a dataset', async () => {
    const missing = join(folder, 'no-such-folder');
    const run = await runCaptured(['fid', 'stats', missing, '--out', out(), '--weights', weightsPath]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain(`${missing}: no such folder, and not a dataset kind:path`);
  });

  it('fails on a folder without images and on a single image', async () => {
    const empty = join(folder, 'empty');
    mkdirSync(empty);
    const none = await runCaptured(['fid', 'stats', empty, '--out', out(), '--weights', weightsPath]);
    expect(none.code).toBe(1);
    expect(errorLine(none)).toContain(`${empty}: no images found`);
    const one = await runCaptured([
      'fid',
      'stats',
      'shapes',
      '--limit',
      '1',
      '--out',
      out(),
      '--weights',
      weightsPath,
    ]);
    expect(one.code).toBe(2);
    expect(errorLine(one)).toBe("ratlip fid stats: --limit: expected an integer >= 2, got '1'");
  });

  it('rejects an unknown --inception value (exit 2)', async () => {
    const run = await runCaptured([
      'fid',
      'stats',
      imagesFolder,
      '--out',
      out(),
      '--weights',
      weightsPath,
      '--inception',
      'v4',
    ]);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe(
      "ratlip fid stats: --inception: expected one of auto, fid, torchvision, got 'v4'",
    );
  });
});
