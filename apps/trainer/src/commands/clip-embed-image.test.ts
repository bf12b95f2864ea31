import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferClipConfig, loadClipWeights, preprocessPhoto } from '@ratlip/clip';
import { ShapesDataset } from '@ratlip/datasets';
import { sharpImageDecoder } from '@ratlip/datasets/node';
import { useBackend } from '@ratlip/runtime';
import { fixturePath, readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';
import { pretrainMicroClip, readSafetensorsOutput, relativeError } from './clip-embed.test-support';

const folder = temporaryFolder('ratlip-embed-image-');
const WEIGHTS = fixturePath('clip/tiny_clip_openai.safetensors');
const preprocess = readFixture('clip/preprocess.safetensors');
const weightsFile = readFixture('clip/tiny_clip_openai.safetensors');

beforeAll(async () => {
  await useBackend('wasm');
});

/** `ratlip clip embed-image --weights <weights> --out <out> <images...>`. */
function embedImageCommand(weights: string, out: string, images: readonly string[]): Promise<CliRun> {
  return runCaptured(['clip', 'embed-image', '--weights', weights, '--out', out, ...images]);
}

async function writeImage(path: string, bytes: Uint8Array, width: number, height: number): Promise<void> {
  const image = sharp(Buffer.from(bytes), { raw: { width, height, channels: 3 } });
  await (path.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(path);
}

/** Embeddings of CLIP-normalised channels-last pixels `[count, size, size, 3]` by the library. */
function libraryEmbeddings(pixels: Float32Array, size: number): Float32Array {
  const { model } = loadClipWeights(weightsFile);
  try {
    return tf.tidy(
      () =>
        model
          .encodeImage(tf.tensor4d(pixels, [pixels.length / (size * size * 3), size, size, 3]))
          .dataSync() as Float32Array,
    );
  } finally {
    model.dispose();
  }
}

/** A channels-first `[3, size, size]` fixture tensor as channels-last values. */
function chwToHwc(values: Float32Array, size: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < size * size; p++) out[p * 3 + c] = values[c * size * size + p]!;
  }
  return out;
}

describe('ratlip clip embed-image', () => {
  it("matches CLIP's preprocessing: a photo resized and cropped, and one already of the CLIP's size", async () => {
    const size = inferClipConfig(weightsFile).vision.imageSize;
    const groups = preprocess
      .names()
      .filter((name) => name.endsWith('.cropped_u8_hwc'))
      .map((name) => name.slice(0, -'.cropped_u8_hwc'.length));
    // The fixture group at the CLIP's size gives the reference CLIP input; without one, the first group's
    // photo is checked against this package's preprocessing of the decoded file.
    const group =
      groups.find((name) => preprocess.entry(`${name}.cropped_u8_hwc`).shape[0] === size) ?? groups[0]!;
    const [height, width] = preprocess.entry(`${group}.input_u8_hwc`).shape as [number, number];
    const [cropHeight, cropWidth] = preprocess.entry(`${group}.cropped_u8_hwc`).shape as [number, number];
    const photo = join(folder, 'photo.png');
    const cropped = join(folder, 'cropped.png');
    await writeImage(photo, preprocess.raw(`${group}.input_u8_hwc`) as Uint8Array, width, height);
    await writeImage(cropped, preprocess.raw(`${group}.cropped_u8_hwc`) as Uint8Array, cropWidth, cropHeight);
    const reference =
      cropHeight === size
        ? chwToHwc(preprocess.float32(`${group}.output_chw`), size)
        : preprocessPhoto(
            { width, height, data: preprocess.raw(`${group}.input_u8_hwc`) as Uint8Array },
            { size },
          );
    const croppedReference =
      cropHeight === size
        ? reference
        : preprocessPhoto(
            {
              width: cropWidth,
              height: cropHeight,
              data: preprocess.raw(`${group}.cropped_u8_hwc`) as Uint8Array,
            },
            { size },
          );
    const expected = libraryEmbeddings(Float32Array.from([...reference, ...croppedReference]), size);

    const out = join(folder, 'images.safetensors');
    const before = tf.memory().numTensors;
    const run = await embedImageCommand(WEIGHTS, out, [photo, cropped]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const dim = expected.length / 2;
    expect(run.stdout).toBe(`wrote ${out}: image_embeds [2, ${dim}] of 2 images (weights ${WEIGHTS})\n`);
    const file = readSafetensorsOutput(out);
    expect(file.names()).toEqual(['image_embeds']);
    expect(file.entry('image_embeds')).toMatchObject({ dtype: 'F32', shape: [2, dim] });
    expect(relativeError(file.float32('image_embeds'), expected)).toBeLessThan(1e-4);
    expect(JSON.parse(file.metadata['files']!)).toEqual([photo, cropped]);
    expect(file.metadata).toMatchObject({ weights: WEIGHTS, normalized: 'false' });
  });

  it('reads JPEG and Shapes renders with a CLIP trained by clip pretrain', async () => {
    const weights = await pretrainMicroClip(folder);
    const { model } = loadClipWeights(readSafetensorsOutput(weights));
    const size = model.config.vision.imageSize;
    const shapes = new ShapesDataset({ split: 'test', size: 3, imageSize: size });
    const paths = [join(folder, 'a.png'), join(folder, 'b.jpg'), join(folder, 'c.png')];
    for (const [index, path] of paths.entries())
      await writeImage(path, shapes.render(index).data, size, size);
    const decoder = sharpImageDecoder();
    const pixels = new Float32Array(3 * size * size * 3);
    for (const [index, path] of paths.entries()) {
      const image = await decoder.decode(new Uint8Array(readFileSync(path)), {}, path);
      pixels.set(preprocessPhoto(image, { size }), index * size * size * 3);
    }
    const expected = tf.tidy(
      () => model.encodeImage(tf.tensor4d(pixels, [3, size, size, 3])).dataSync() as Float32Array,
    );
    model.dispose();
    const out = join(folder, 'shapes.safetensors');
    const embedded = await embedImageCommand(weights, out, paths);
    expect(embedded.code).toBe(0);
    expect(relativeError(readSafetensorsOutput(out).float32('image_embeds'), expected)).toBeLessThan(1e-5);
  });

  it.each([
    [['--weights', WEIGHTS, '--out', 'x.safetensors'], 2, "missing required argument 'images'"],
    [['--weights', WEIGHTS, '/no/such.png'], 2, "required option '--out <file>' not specified"],
    [['--weights', WEIGHTS, '--out', 'x.safetensors', '/no/such.png'], 1, 'image not found: /no/such.png'],
    [
      ['--weights', '/no/w.safetensors', '--out', 'x.safetensors', WEIGHTS],
      1,
      'weights file not found: /no/w.safetensors',
    ],
  ])('rejects %j with exit code %i and one line', async (args, code, message) => {
    const run = await runCaptured(['clip', 'embed-image', ...args]);
    expect(run.code).toBe(code);
    expect(errorLine(run)).toContain(message);
  });

  it('names an image it cannot decode', async () => {
    const broken = join(folder, 'broken.png');
    writeFileSync(broken, 'not a png');
    const run = await embedImageCommand(WEIGHTS, join(folder, 'z.safetensors'), [broken]);
    expect(run.code).toBe(1);
    const line = errorLine(run);
    expect(line).toContain(`${broken}: cannot decode image`);
    expect(line).not.toContain('unexpected error');
  });
});
