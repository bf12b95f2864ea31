import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, trainableVariables } from '../core/param-tree';
import {
  exportWordAttentionToStateDict,
  initWordAttention,
  loadWordAttentionFromStateDict,
  type WordAttentionConfig,
  type WordAttentionParams,
  wordAttentionConfig,
  wordAttentionForward,
} from './word-attention';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CONFIG = { channels: 4, wordWidth: 3, keyDim: 2, valueGain: 1.5, scoreGain: 2.5, positionQuery: false };
/** Queries that also see where each position is. */
const PLACED = { ...CONFIG, positionQuery: true };

/** Parameters with a non-zero value projection, drawn from `seed`. */
function randomParams(seed: number, config: WordAttentionConfig = CONFIG): WordAttentionParams {
  const rng = new SeededRandom(seed);
  const params = initWordAttention(config, rng);
  const { weight, bias } = params.value;
  (weight as tf.Variable).assign(tf.tensor2d(rng.normalArray(weight.size), weight.shape as [number, number]));
  (bias as tf.Variable).assign(tf.tensor1d(rng.normalArray(bias!.size)));
  return params;
}

/** `rows x cols` matrix product of plain arrays. */
function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, k) => sum + value * b[k]![j]!, 0)));
}

/** The block computed with plain numbers, one sample at a time. */
function reference(params: WordAttentionParams, x: number[][][][], words: number[][][], mask: number[][]) {
  const wq = params.query.weight.arraySync() as number[][];
  const wk = params.key.weight.arraySync() as number[][];
  const wv = params.value.weight.arraySync() as number[][];
  const bv = params.value.bias!.arraySync() as number[];
  const wp = params.position?.weight.arraySync() as number[][] | undefined;
  return x.map((image, b) => {
    const keys = matMul(words[b]!, wk);
    const values = matMul(words[b]!, wv).map((row) => row.map((value, c) => value + bv[c]!));
    return image.map((row, r) =>
      row.map((pixel, c) => {
        const y = (2 * r + 1) / image.length - 1;
        const xPlace = (2 * c + 1) / row.length - 1;
        const placeQuery = wp ? matMul([[xPlace, y, xPlace * xPlace, y * y]], wp)[0]! : undefined;
        const query = matMul([pixel], wq)[0]!.map((value, k) => value + (placeQuery?.[k] ?? 0));
        const scores = keys.map((key, j) =>
          mask[b]![j]
            ? (CONFIG.scoreGain * key.reduce((sum, value, k) => sum + value * query[k]!, 0)) /
              Math.sqrt(CONFIG.keyDim)
            : -Infinity,
        );
        const top = Math.max(...scores);
        const weights = scores.map((score) => Math.exp(score - top));
        const total = weights.reduce((sum, value) => sum + value, 0);
        return pixel.map(
          (value, c) =>
            value + CONFIG.valueGain * weights.reduce((sum, w, j) => sum + (w / total) * values[j]![c]!, 0),
        );
      }),
    );
  });
}

describe('word attention', () => {
  const rng = new SeededRandom(3);
  const x = rng.normalArray(2 * 2 * 3 * CONFIG.channels);
  const words = rng.normalArray(2 * 5 * CONFIG.wordWidth);
  // Sample 0 has 3 real tokens, sample 1 all 5.
  const mask = [
    [1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1],
  ];
  const inputs = () => ({
    x: tf.tensor4d(x, [2, 2, 3, CONFIG.channels]),
    words: { features: tf.tensor3d(words, [2, 5, CONFIG.wordWidth]), mask: tf.tensor2d(mask) },
  });

  it.each([
    ['', CONFIG],
    [', queries seeing their place', PLACED],
  ])(
    'computes x + valueGain · softmax(scoreGain · q kᵀ / √keyDim) v over the unmasked words%s',
    (_, config) => {
      const params = randomParams(1, config);
      const { x: image, words: caption } = inputs();
      const before = tf.memory().numTensors;
      const out = wordAttentionForward(params, image, caption);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(out.shape).toEqual([2, 2, 3, CONFIG.channels]);
      const expected = reference(
        params,
        image.arraySync() as number[][][][],
        caption.features.arraySync() as number[][][],
        mask,
      );
      const actual = out.arraySync();
      expected.flat(3).forEach((value, i) => {
        expect(actual.flat(3)[i]).toBeCloseTo(value, 5);
      });
      tf.dispose([image, caption.features, caption.mask, out]);
      disposeParams(params);
    },
  );

  it('ignores padded words whatever their features', () => {
    const params = randomParams(2);
    const { x: image, words: caption } = inputs();
    const changed = tf.tidy(() =>
      tf.concat([caption.features.slice([0, 0, 0], [2, 3, -1]), tf.fill([2, 2, CONFIG.wordWidth], 40)], 1),
    ) as tf.Tensor3D;
    const a = wordAttentionForward(params, image, caption);
    const b = wordAttentionForward(params, image, { features: changed, mask: caption.mask });
    const [first, second] = [a.arraySync()[0]!, b.arraySync()[0]!];
    expect(second).toEqual(first);
    expect(b.arraySync()[1]).not.toEqual(a.arraySync()[1]);
    tf.dispose([image, caption.features, caption.mask, changed, a, b]);
    disposeParams(params);
  });

  it('starts as the identity, and its first gradient reaches the value projection only', () => {
    const params = initWordAttention(CONFIG, new SeededRandom(4));
    const { x: image, words: caption } = inputs();
    const out = wordAttentionForward(params, image, caption);
    expect(Array.from(out.dataSync())).toEqual(Array.from(image.dataSync()));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(wordAttentionForward(params, image, caption))) as tf.Scalar,
      trainableVariables(params),
    );
    const norms = tf.tidy(() =>
      Object.fromEntries(Object.entries(grads).map(([name, grad]) => [name, tf.norm(grad).dataSync()[0]!])),
    );
    expect(norms[(params.value.weight as tf.Variable).name]).toBeGreaterThan(0);
    expect(norms[(params.value.bias as tf.Variable).name]).toBeGreaterThan(0);
    for (const projection of [params.query, params.key]) {
      expect(norms[(projection.weight as tf.Variable).name]).toBe(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([image, caption.features, caption.mask, out]);
    disposeParams(params);
  });

  it('reads different words at different places of a uniform map only when queries see their place', () => {
    const { words: caption } = inputs();
    const uniform = tf.tidy(() =>
      tf.tile(tf.reshape(tf.tensor1d(x.slice(0, CONFIG.channels)), [1, 1, 1, -1]), [2, 2, 3, 1]),
    );
    for (const [config, placesDiffer] of [
      [CONFIG, false],
      [PLACED, true],
    ] as const) {
      const params = randomParams(7, config);
      const out = wordAttentionForward(params, uniform, caption);
      const pixels = (out.arraySync() as number[][][][])[1]!.flat();
      expect(pixels.some((pixel) => pixel.some((value, c) => Math.abs(value - pixels[0]![c]!) > 1e-4))).toBe(
        placesDiffer,
      );
      out.dispose();
      disposeParams(params);
    }
    tf.dispose([uniform, caption.features, caption.mask]);
  });

  it.each([
    ['', CONFIG],
    [', with the place projection', PLACED],
  ])('round-trips through a PyTorch-layout state dict%s', (_, config) => {
    const params = randomParams(5, config);
    const dict = exportWordAttentionToStateDict(params, 'attention.');
    expect(Object.fromEntries(Object.entries(dict).map(([key, tensor]) => [key, tensor.shape]))).toEqual({
      'attention.query.weight': [CONFIG.keyDim, CONFIG.channels],
      'attention.key.weight': [CONFIG.keyDim, CONFIG.wordWidth],
      'attention.value.weight': [CONFIG.channels, CONFIG.wordWidth],
      'attention.value.bias': [CONFIG.channels],
      ...(config.positionQuery ? { 'attention.position.weight': [CONFIG.keyDim, 4] } : {}),
    });
    const loaded = loadWordAttentionFromStateDict(dict, 'attention.', config);
    expect(wordAttentionConfig(loaded)).toEqual(config);
    if (!config.positionQuery) {
      expect(() => loadWordAttentionFromStateDict(dict, 'attention.', PLACED)).toThrow(
        /attention\.position\.weight/,
      );
    }
    const { x: image, words: caption } = inputs();
    const a = wordAttentionForward(params, image, caption);
    const b = wordAttentionForward(loaded, image, caption);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([...Object.values(dict), image, caption.features, caption.mask, a, b]);
    disposeParams(params);
    disposeParams(loaded);
  });

  it('names the input whose shape is wrong and the shape it expected', () => {
    const params = randomParams(6);
    const { x: image, words: caption } = inputs();
    const wrongChannels = tf.zeros([2, 2, 3, 5]);
    expect(() => wordAttentionForward(params, wrongChannels, caption)).toThrow(
      'wordAttentionForward: x must be [batch, height, width, 4], got [2, 2, 3, 5]',
    );
    const wrongWidth = tf.zeros([2, 5, 4]) as tf.Tensor3D;
    expect(() => wordAttentionForward(params, image, { features: wrongWidth, mask: caption.mask })).toThrow(
      'wordAttentionForward: word features must be [2, words, 3], got [2, 5, 4]',
    );
    const wrongMask = tf.ones([2, 4]) as tf.Tensor2D;
    expect(() =>
      wordAttentionForward(params, image, { features: caption.features, mask: wrongMask }),
    ).toThrow('wordAttentionForward: word mask must be [2, 5], got [2, 4]');
    expect(() => initWordAttention({ ...CONFIG, valueGain: 0 }, new SeededRandom(1))).toThrow(
      'initWordAttention: valueGain must be a positive number, got 0',
    );
    expect(() => initWordAttention({ ...CONFIG, scoreGain: -1 }, new SeededRandom(1))).toThrow(
      'initWordAttention: scoreGain must be a positive number, got -1',
    );
    tf.dispose([image, caption.features, caption.mask, wrongChannels, wrongWidth, wrongMask]);
    disposeParams(params);
  });
});
