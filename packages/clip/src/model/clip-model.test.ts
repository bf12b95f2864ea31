import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedImagesToClipInput } from '../preprocessing/generated-to-clip-input';
import { loadClipWeights } from '../weights/load-clip-weights';
import { causalMask } from './causal-mask';
import type { ClipModel } from './clip-model';
import { compareTensors, fixtureTensor } from './parity.test-support';
import { quickGelu } from './quick-gelu';
import { clipConfigFromOpenAiArguments } from './reference-config';

const NCHW_TO_NHWC = [0, 2, 3, 1];
/** Fixture README: a port within 1e-4 absolute on order-1 activations is right. */
const TOLERANCE = 1e-4;

const io = readFixture('clip/tiny_clip_io.safetensors');
const taps = JSON.parse(io.metadata['ratlip_taps']!) as number[];
const promptBlocks = JSON.parse(io.metadata['mapper_prompt_blocks']!) as number[];
const worst = new Map<string, number>();

function expectClose(label: string, actual: tf.Tensor, expected: tf.Tensor): void {
  const { maxAbs } = compareTensors(actual, expected);
  worst.set(label, Math.max(worst.get(label) ?? 0, maxAbs));
  expect(maxAbs, label).toBeLessThan(TOLERANCE);
}

function withFixture(
  name: string,
  permutation: number[] | undefined,
  check: (expected: tf.Tensor) => void,
): void {
  const expected = fixtureTensor(io, name, permutation);
  try {
    check(expected);
  } finally {
    expected.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  const lines = [...worst].map(([label, value]) => `${label}: ${value.toExponential(2)}`);
  console.info(`tiny CLIP worst |d| per tensor\n  ${lines.join('\n  ')}`);
});

describe.each([
  ['openai', 'clip/tiny_clip_openai.safetensors'],
  ['huggingface', 'clip/tiny_clip_hf.safetensors'],
])('tiny CLIP from %s weights matches tiny_clip_io', (naming, fixture) => {
  let model: ClipModel;
  let before: number;

  beforeAll(() => {
    const file = readFixture(fixture);
    const loaded = loadClipWeights(file);
    model = loaded.model;
    expect(loaded.naming).toBe(naming);
    expect(loaded.config).toEqual(clipConfigFromOpenAiArguments(file.metadata['config']!));
    before = tf.memory().numTensors;
  });

  afterAll(() => {
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('image tower: patch embedding, ln_pre, every block, ln_post, embedding', () => {
    const pixels = fixtureTensor(io, 'image.input', NCHW_TO_NHWC) as tf.Tensor4D;
    const patches = model.vision.embedPatches(pixels);
    withFixture('image.conv1_out', NCHW_TO_NHWC, (e) => expectClose('image.conv1_out', patches, e));
    const tokens = model.vision.embedTokens(patches);
    withFixture('image.tokens_ln_pre', undefined, (e) => expectClose('image.tokens_ln_pre', tokens, e));
    const all = Array.from({ length: model.config.vision.layers }, (_, i) => i);
    const run = model.vision.runBlocks(tokens, { tapBlocks: all });
    const stacked = tf.stack(run.taps);
    withFixture('image.tokens_per_block', undefined, (e) =>
      expectClose('image.tokens_per_block', stacked, e),
    );
    const pooled = model.vision.pool(run.tokens);
    withFixture('image.ln_post_cls', undefined, (e) =>
      expectClose('image.ln_post_cls', pooled.classToken, e),
    );
    withFixture('image.embed', undefined, (e) => expectClose('image.embed', pooled.embedding, e));
    const encoded = model.encodeImage(pixels);
    withFixture('image.embed', undefined, (e) => expectClose('image.embed', encoded, e));
    const local = model.vision.encodeWithLocalFeatures(pixels, { tapBlocks: taps });
    const localNchw = local.localFeatures.transpose([0, 1, 4, 2, 3]);
    withFixture('image.ratlip_local_features', undefined, (e) =>
      expectClose('image.ratlip_local_features', localNchw, e),
    );
    withFixture('image.embed', undefined, (e) => expectClose('image.embed', local.embedding, e));
    tf.dispose([pixels, patches, tokens, run, stacked, pooled, encoded, local, localNchw]);
  });

  it('RATLIP discriminator path from a generator output in [-1, 1]', () => {
    const generated = fixtureTensor(io, 'ratlip.gen_output_m11', NCHW_TO_NHWC) as tf.Tensor4D;
    const imageSize = model.config.vision.imageSize;
    const unit = generatedImagesToClipInput(generated, {
      imageSize,
      quirk: 'standard',
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    withFixture('ratlip.nearest_upsampled_01', NCHW_TO_NHWC, (e) =>
      expectClose('ratlip.nearest_upsampled_01', unit, e),
    );
    const input = generatedImagesToClipInput(generated, { imageSize });
    withFixture('ratlip.clip_input', NCHW_TO_NHWC, (e) => expectClose('ratlip.clip_input', input, e));
    const { localFeatures, embedding } = model.vision.encodeWithLocalFeatures(input);
    const localNchw = localFeatures.transpose([0, 1, 4, 2, 3]);
    withFixture('ratlip.local_features', undefined, (e) =>
      expectClose('ratlip.local_features', localNchw, e),
    );
    withFixture('ratlip.image_embed', undefined, (e) => expectClose('ratlip.image_embed', embedding, e));
    tf.dispose([generated, unit, input, localFeatures, embedding, localNchw]);
  });

  it('mapper: feature map in place of patches, prompts before the configured blocks', () => {
    const featureMap = fixtureTensor(io, 'mapper.feat_map', NCHW_TO_NHWC) as tf.Tensor4D;
    const prompts = fixtureTensor(io, 'mapper.prompts') as tf.Tensor3D;
    const mapped = model.vision.mapFeatures(featureMap, prompts, { promptBlocks });
    withFixture('mapper.out', NCHW_TO_NHWC, (e) => expectClose('mapper.out', mapped, e));
    tf.dispose([featureMap, prompts, mapped]);
  });

  it('text tower: embeddings, every layer, ln_final, end-of-text index, embedding', () => {
    const ids = fixtureTensor(io, 'text.ids') as tf.Tensor2D;
    const embedded = model.text.embed(ids);
    withFixture('text.embed_plus_pos', undefined, (e) => expectClose('text.embed_plus_pos', embedded, e));
    const run = model.text.runBlocks(embedded, true);
    const hidden = tf.stack(run.hidden);
    withFixture('text.hidden_per_layer', undefined, (e) => expectClose('text.hidden_per_layer', hidden, e));
    const normalized = model.text.finalNorm(run.tokens);
    withFixture('text.ln_final', undefined, (e) => expectClose('text.ln_final', normalized, e));
    const eot = model.text.endOfTextIndex(ids);
    withFixture('text.eot_index', undefined, (e) =>
      expect(Array.from(eot.dataSync())).toEqual(Array.from(e.dataSync())),
    );
    const encoded = model.encodeText(ids);
    withFixture('text.embed', undefined, (e) => expectClose('text.embed', encoded, e));
    tf.dispose([ids, embedded, run, hidden, normalized, eot, encoded]);
  });

  it('logits and logit scale', () => {
    const pixels = fixtureTensor(io, 'image.input', NCHW_TO_NHWC) as tf.Tensor4D;
    const ids = fixtureTensor(io, 'text.ids') as tf.Tensor2D;
    const { logitsPerImage, logitsPerText } = model.forward(pixels, ids);
    withFixture('logits_per_image', undefined, (e) => {
      expectClose('logits_per_image', logitsPerImage, e);
      const transposed = e.transpose();
      expectClose('logits_per_image', logitsPerText, transposed);
      transposed.dispose();
    });
    withFixture('logit_scale', undefined, (e) => expectClose('logit_scale', model.logitScale, e));
    tf.dispose([pixels, ids, logitsPerImage, logitsPerText]);
  });
});

describe('building blocks', () => {
  it('QuickGELU matches the fixture', () => {
    const x = fixtureTensor(io, 'quickgelu.x');
    const y = quickGelu(x);
    withFixture('quickgelu.y', undefined, (e) => expectClose('quickgelu.y', y, e));
    tf.dispose([x, y]);
  });

  it('causal mask row 3 matches the fixture', () => {
    const length = io.entry('text.causal_mask_row3').shape[0]!;
    const mask = causalMask(length);
    const row = mask.slice([3, 0], [1, length]).reshape([length]);
    // The fixture stores the reference's -inf as -1e30; both zero the softmax weight exactly.
    const masked = (values: ArrayLike<number>) => Array.from(values, (v) => v <= -1e29);
    withFixture('text.causal_mask_row3', undefined, (e) => {
      expect(masked(row.dataSync())).toEqual(masked(e.dataSync()));
      expect(Array.from(row.dataSync()).filter((v) => v === 0).length).toBe(
        Array.from(e.dataSync()).filter((v) => v === 0).length,
      );
    });
    tf.dispose([mask, row]);
  });
});
