import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATLIP_PROMPT_BLOCKS, RATLIP_TAP_BLOCKS } from './block-selection';
import { ClipModel } from './clip-model';
import { clipParameterEntries } from './clip-parameters';
import { clipPreset } from './clip-presets';
import { initializeClipParameters } from './initialize-clip-parameters';

const config = clipPreset('tiny');
let model: ClipModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = new ClipModel(config, initializeClipParameters(config, { seed: 5 }));
});

afterAll(() => model.dispose());

const { imageSize, width } = config.vision;

describe('RATLIP hooks on the image tower', () => {
  it('keeps its weights frozen: plain tensors, no variables', () => {
    const variables = Object.keys(tf.engine().registeredVariables).length;
    for (const [key, tensor] of clipParameterEntries(model.parameters)) {
      expect(tensor instanceof tf.Variable, key).toBe(false);
    }
    model.encodeImage(tf.zeros([1, imageSize, imageSize, 3])).dispose();
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
  });

  it('passes gradients through the mapper to the feature map and the prompts', () => {
    const before = tf.memory().numTensors;
    const grid = model.vision.gridSize;
    const featureMap = tf.randomNormal([2, grid, grid, width], 0, 1, 'float32', 1) as tf.Tensor4D;
    const prompts = tf.randomNormal(
      [2, RATLIP_PROMPT_BLOCKS.length, width],
      0,
      1,
      'float32',
      2,
    ) as tf.Tensor3D;
    const [gradMap, gradPrompts] = tf.grads((f: tf.Tensor, p: tf.Tensor) =>
      model.vision
        .mapFeatures(f as tf.Tensor4D, p as tf.Tensor3D)
        .square()
        .sum(),
    )([featureMap, prompts]);
    for (const gradient of [gradMap!, gradPrompts!]) {
      const [finite, norm] = tf.tidy(() => [
        gradient.isFinite().all().dataSync()[0],
        gradient.norm().dataSync()[0],
      ]);
      expect(finite).toBe(1);
      expect(norm).toBeGreaterThan(0);
    }
    tf.dispose([featureMap, prompts, gradMap!, gradPrompts!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('prompt tokens change only the blocks they are given to', () => {
    tf.tidy(() => {
      const grid = model.vision.gridSize;
      const featureMap = tf.randomNormal([1, grid, grid, width], 0, 1, 'float32', 3) as tf.Tensor4D;
      const prompts = tf.randomNormal([1, 1, width], 0, 1, 'float32', 4) as tf.Tensor3D;
      const last = config.vision.layers - 1;
      const tokens = model.vision.embedTokens(featureMap);
      const plain = model.vision.runBlocks(tokens, { tapBlocks: [last - 1] });
      const prompted = model.vision.runBlocks(tokens, {
        tapBlocks: [last - 1],
        prompts,
        promptBlocks: [last],
      });
      expect(plain.taps[0]!.sub(prompted.taps[0]!).abs().max().dataSync()[0]).toBe(0);
      expect(plain.tokens.sub(prompted.tokens).abs().max().dataSync()[0]).toBeGreaterThan(0);
    });
  });

  it('returns channels-last local features for the chosen taps and passes gradients to the pixels', () => {
    const before = tf.memory().numTensors;
    const pixels = tf.randomNormal([2, imageSize, imageSize, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const { localFeatures, embedding } = model.vision.encodeWithLocalFeatures(pixels);
    const grid = model.vision.gridSize;
    expect(localFeatures.shape).toEqual([2, RATLIP_TAP_BLOCKS.length, grid, grid, width]);
    expect(embedding.shape).toEqual([2, config.vision.embedDim]);
    const two = model.vision.encodeWithLocalFeatures(pixels, { tapBlocks: [3, 0] });
    expect(two.localFeatures.shape[1]).toBe(2);
    const gradient = tf.grad((p: tf.Tensor) =>
      model.vision.encodeWithLocalFeatures(p as tf.Tensor4D).localFeatures.sum(),
    )(pixels);
    expect(tf.tidy(() => gradient.abs().sum().dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([pixels, localFeatures, embedding, two.localFeatures, two.embedding, gradient]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names bad arguments', () => {
    tf.tidy(() => {
      const grid = model.vision.gridSize;
      const featureMap = tf.zeros([1, grid, grid, width]) as tf.Tensor4D;
      expect(() => model.vision.mapFeatures(featureMap, tf.zeros([1, 3, width]) as tf.Tensor3D)).toThrow(
        /prompts must be \[1, 8 \(one per prompt block\), 64\]/,
      );
      expect(() =>
        model.vision.mapFeatures(
          tf.zeros([1, grid + 1, grid, width]) as tf.Tensor4D,
          tf.zeros([1, 8, width]) as tf.Tensor3D,
        ),
      ).toThrow(/patchGrid must be/);
      const pixels = tf.zeros([1, imageSize, imageSize, 3]) as tf.Tensor4D;
      expect(() => model.vision.encodeWithLocalFeatures(pixels, { tapBlocks: [12] })).toThrow(
        /block 12 is not an integer in \[0, 12\)/,
      );
      expect(() => model.vision.encodeWithLocalFeatures(pixels, { tapBlocks: [1, 1] })).toThrow(
        /listed twice/,
      );
      expect(() => model.encodeImage(tf.zeros([1, imageSize, imageSize + 1, 3]) as tf.Tensor4D)).toThrow(
        /pixels must be \[batch, 32, 32, 3\]/,
      );
      expect(() => model.encodeText(tf.zeros([1, 77]) as tf.Tensor2D)).toThrow(/ids must be int32/);
    });
  });
});

describe('text tower and logits', () => {
  it('pools at the end-of-text token (the highest id), ignoring later tokens', () => {
    tf.tidy(() => {
      const eot = config.text.vocabSize - 1;
      const ids = tf.tensor2d(
        [
          [eot - 1, 5, 6, eot, 7, 8],
          [eot - 1, 5, 6, eot, 9, 3],
        ],
        undefined,
        'int32',
      );
      const embeddings = model.encodeText(ids).arraySync();
      expect(embeddings[0]).toEqual(embeddings[1]);
    });
  });

  it('encodes and scores without leaking', () => {
    const before = tf.memory().numTensors;
    const pixels = tf.randomNormal([3, imageSize, imageSize, 3]) as tf.Tensor4D;
    const ids = tf.tensor2d(
      [
        [49406, 320, 49407],
        [49406, 321, 49407],
      ],
      undefined,
      'int32',
    );
    const { logitsPerImage, logitsPerText } = model.forward(pixels, ids);
    expect(logitsPerImage.shape).toEqual([3, 2]);
    expect(logitsPerText.shape).toEqual([2, 3]);
    // Fresh models start at OpenAI's temperature 0.07, so |logit| <= 1 / 0.07.
    expect(tf.tidy(() => logitsPerImage.abs().max().dataSync()[0]!)).toBeLessThanOrEqual(1 / 0.07 + 1e-3);
    tf.dispose([pixels, ids, logitsPerImage, logitsPerText]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('initialisation', () => {
  it('is deterministic per seed', () => {
    const small = clipPreset('tiny');
    const a = initializeClipParameters(small, { seed: 1 });
    const b = initializeClipParameters(small, { seed: 1 });
    const c = initializeClipParameters(small, { seed: 2 });
    const same = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => x.sub(y).abs().max().dataSync()[0]);
    expect(same(a.vision.projection, b.vision.projection)).toBe(0);
    expect(same(a.vision.projection, c.vision.projection)).toBeGreaterThan(0);
    for (const p of [a, b, c]) for (const tensor of clipParameterEntries(p).values()) tensor.dispose();
  });
});
