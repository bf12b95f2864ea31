import { ClipModel, ClipTokenizer, loadClipWeights } from '@ratlip/clip';
import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMetrics } from '../metrics/evaluate-metrics';
import type { EvalBatch } from '../metrics/metric';
import { clipCosineSimilarities } from './clip-cosine-similarities';
import { CLIP_SCORE_PREPROCESSINGS } from './clip-score-preprocessing';
import { clipScores } from './clip-scores';

const NCHW_TO_NHWC = [0, 2, 3, 1];
const io = readFixture('clip/tiny_clip_io.safetensors');
const captions = JSON.parse(io.metadata['text_rows']!) as string[];
const WEIGHTS = 'clip/tiny_clip_openai.safetensors';
/** On the 100 x cosine scale: a cosine within 1e-6 (float32 embeddings of a correct port agree to ~1e-6 relative). */
const SCORE_TOLERANCE = 1e-4;

let model: ClipModel;
let tokenizer: ClipTokenizer;

/** Rows of a stored `[rows, dim]` float tensor. */
function rows(name: string): Float32Array[] {
  const [count, dim] = io.entry(name).shape as [number, number];
  const values = io.float32(name);
  return Array.from({ length: count }, (_, i) => values.subarray(i * dim, (i + 1) * dim));
}

/** 100 x the float64 cosine of two embeddings. */
function score(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k]! * b[k]!;
    aa += a[k]! * a[k]!;
    bb += b[k]! * b[k]!;
  }
  return (100 * dot) / Math.sqrt(aa * bb);
}

function nhwc(name: string): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(io.tensor(name), NCHW_TO_NHWC) as tf.Tensor4D);
}

/** Generator outputs of the fixture as [-1, 1] batches, one image per batch row, with captions. */
function generatorBatches(groups: number[][]): EvalBatch[] {
  const images = nhwc('ratlip.gen_output_m11');
  const batches = groups.map((indices) => ({
    images: tf.tidy(() => tf.gather(images, indices) as tf.Tensor4D),
    captions: indices.map((i) => captions[i]!),
  }));
  images.dispose();
  return batches;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = loadClipWeights(readFixture(WEIGHTS)).model;
  tokenizer = await ClipTokenizer.load();
});

afterAll(() => {
  model.dispose();
});

describe('CLIP score', () => {
  it("on the tiny fixture CLIP equals the value computed from the fixture's embeddings", async () => {
    // The reference path: generator output -> the discriminator's CLIP input -> ratlip.image_embed.
    const imageEmbeddings = rows('ratlip.image_embed');
    const textEmbeddings = rows('text.embed');
    const pairs = Math.min(
      imageEmbeddings.length,
      textEmbeddings.length,
      io.entry('ratlip.gen_output_m11').shape[0]!,
    );
    expect(pairs).toBeGreaterThan(1);
    const expected = imageEmbeddings.slice(0, pairs).map((image, i) => score(image, textEmbeddings[i]!));
    const expectedMean = expected.reduce((a, b) => a + b, 0) / pairs;

    const before = tf.memory().numTensors;
    const report = await evaluateMetrics({
      metrics: [{ metric: 'clip-score', options: { model, tokenizer, weightsName: WEIGHTS } }],
      batches: generatorBatches([Array.from({ length: pairs }, (_, i) => i)]),
    });
    expect(tf.memory().numTensors).toBe(before);
    const [clip] = report.metrics;
    console.info(
      `CLIP score ${clip!.value.toFixed(6)} vs ${expectedMean.toFixed(6)} from the fixture embeddings (${pairs} pairs), |d| ${Math.abs(clip!.value - expectedMean).toExponential(2)}`,
    );
    expect(Math.abs(clip!.value - expectedMean)).toBeLessThan(SCORE_TOLERANCE);
    expect(clip!.sampleCount).toBe(pairs);
    expect(clip!.settings).toMatchObject({
      clipWeights: WEIGHTS,
      preprocessing: 'ratlip-reference',
      averaging: 'batch-means',
      clipImageSize: model.config.vision.imageSize,
      score: expect.stringContaining('no clamp at 0, no 2.5 weight'),
    });

    // The same pairs from the stored CLIP inputs and token ids, without any preprocessing.
    const textIds = io.tensor('text.ids');
    const pixels = nhwc('image.input');
    const cosines = tf.tidy(() =>
      clipCosineSimilarities(
        model,
        tf.slice(pixels, 0, pairs) as tf.Tensor4D,
        tf.slice(textIds, 0, pairs).toInt() as tf.Tensor2D,
      ),
    );
    const direct = Array.from(await cosines.data(), (c) => 100 * c);
    tf.dispose([textIds, pixels, cosines]);
    const stored = rows('image.embed');
    direct.forEach((value, i) => {
      expect(Math.abs(value - score(stored[i]!, textEmbeddings[i]!))).toBeLessThan(SCORE_TOLERANCE);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('averages batch means like the reference, or images, and reports both', async () => {
    const embeddings = rows('ratlip.image_embed');
    const text = rows('text.embed');
    const [first, second] = [score(embeddings[0]!, text[0]!), score(embeddings[1]!, text[1]!)];
    const groups = [[0, 1], [0]];
    const batchMeans = ((first + second) / 2 + first) / 2;
    const imageMean = (2 * first + second) / 3;
    for (const [averaging, expected] of [
      ['batch-means', batchMeans],
      ['images', imageMean],
    ] as const) {
      const report = await evaluateMetrics({
        metrics: [
          {
            metric: 'clip-score',
            options: { model, tokenizer, weightsName: WEIGHTS, averaging, chunkSize: 1 },
          },
        ],
        batches: generatorBatches(groups),
      });
      const clip = report.metrics[0]!;
      expect(Math.abs(clip.value - expected)).toBeLessThan(SCORE_TOLERANCE);
      expect(Math.abs(clip.breakdown!.batchMeanAverage! - batchMeans)).toBeLessThan(SCORE_TOLERANCE);
      expect(Math.abs(clip.breakdown!.imageMean! - imageMean)).toBeLessThan(SCORE_TOLERANCE);
      expect(clip.breakdown!.batches).toBe(2);
      expect(clip.sampleCount).toBe(3);
    }
  });

  it("reproduces the reference's CLIP input and OpenAI's preprocess", async () => {
    const before = tf.memory().numTensors;
    const generated = nhwc('ratlip.gen_output_m11');
    const expected = nhwc('ratlip.clip_input');
    const unit = tf.tidy(() => tf.div(tf.add(generated, 1), 2) as tf.Tensor4D);
    const reference = await CLIP_SCORE_PREPROCESSINGS['ratlip-reference'].toClipInput(
      unit,
      expected.shape[1],
    );
    const referenceError = tf.tidy(() => tf.max(tf.abs(tf.sub(reference, expected))).dataSync()[0]!);
    expect(referenceError).toBeLessThan(1e-5);
    tf.dispose([generated, expected, unit, reference]);

    const preprocess = readFixture('clip/preprocess.safetensors');
    const groups = preprocess.names().filter((name) => name.endsWith('.input_u8_hwc'));
    expect(groups.length).toBeGreaterThan(0);
    for (const name of groups) {
      const group = name.slice(0, -'.input_u8_hwc'.length);
      const [height, width] = preprocess.entry(name).shape as [number, number];
      const photo = tf.tidy(
        () =>
          tf.div(tf.reshape(preprocess.tensor(name).toFloat(), [1, height, width, 3]), 255) as tf.Tensor4D,
      );
      const output = tf.tidy(() =>
        tf.expandDims(tf.transpose(preprocess.tensor(`${group}.output_chw`), [1, 2, 0])),
      );
      const standard = await CLIP_SCORE_PREPROCESSINGS.standard.toClipInput(photo, output.shape[1]!);
      const error = tf.tidy(() => tf.max(tf.abs(tf.sub(standard, output))).dataSync()[0]!);
      expect(error, group).toBeLessThan(1e-6);
      tf.dispose([photo, output, standard]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scores the standard preprocessing through the same model, chunk size aside', async () => {
    const [batch] = generatorBatches([[0, 1]]);
    const unit = tf.tidy(() => tf.div(tf.add(batch!.images, 1), 2) as tf.Tensor4D);
    const before = tf.memory().numTensors;
    const whole = await clipScores(unit, batch!.captions!, { model, tokenizer, preprocessing: 'standard' });
    const chunked = await clipScores(unit, batch!.captions!, {
      model,
      tokenizer,
      preprocessing: 'standard',
      chunkSize: 1,
    });
    const input = await CLIP_SCORE_PREPROCESSINGS.standard.toClipInput(unit, model.config.vision.imageSize);
    const { ids } = tokenizer.tokenize(batch!.captions!, { truncate: true });
    const manual = tf.tidy(() =>
      tf.mul(
        clipCosineSimilarities(model, input, tf.tensor2d(ids, [2, model.config.text.contextLength], 'int32')),
        100,
      ),
    );
    const manualScores = await manual.data();
    tf.dispose([input, manual]);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(whole[i]! - manualScores[i]!)).toBeLessThan(1e-4);
      expect(Math.abs(chunked[i]! - whole[i]!)).toBeLessThan(1e-4);
    }
    tf.dispose([unit, batch!.images]);
  });

  it('rejects missing captions, unknown preprocessings and unnamed weights', async () => {
    const before = tf.memory().numTensors;
    const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    await expect(
      evaluateMetrics({
        metrics: [{ metric: 'clip-score', options: { model, tokenizer, weightsName: WEIGHTS } }],
        batches: [{ images }],
        disposeInputs: false,
      }),
    ).rejects.toThrow(/clip-score: every batch needs captions/);
    const unknownPreprocessing = 'pil' as unknown as 'standard';
    await expect(
      evaluateMetrics({
        metrics: [
          {
            metric: 'clip-score',
            options: { model, tokenizer, weightsName: WEIGHTS, preprocessing: unknownPreprocessing },
          },
        ],
        batches: [],
      }),
    ).rejects.toThrow(/unknown preprocessing 'pil'; expected one of ratlip-reference, standard/);
    await expect(
      evaluateMetrics({
        metrics: [{ metric: 'clip-score', options: { model, tokenizer, weightsName: '' } }],
        batches: [],
      }),
    ).rejects.toThrow(/weightsName must name the CLIP weights/);
    images.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(model).toBeInstanceOf(ClipModel);
  });
});
