import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, trainableVariables } from '../core/param-tree';
import {
  exportWordContextToStateDict,
  initWordContext,
  loadWordContextFromStateDict,
  type WordContextParams,
  wordContextConfig,
  wordContextForward,
} from './word-context';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CONFIG = { width: 6, heads: 2, valueGain: 1.5, scoreGain: 2.5 };

/** Parameters with non-zero query and output projections, drawn from `seed`. */
function randomParams(seed: number): WordContextParams {
  const rng = new SeededRandom(seed);
  const params = initWordContext(CONFIG, rng);
  for (const weight of [params.query.weight, params.output.weight]) {
    (weight as tf.Variable).assign(
      tf.tensor2d(rng.normalArray(weight.size), weight.shape as [number, number]),
    );
  }
  (params.output.bias as tf.Variable).assign(tf.tensor1d(rng.normalArray(params.output.bias!.size)));
  return params;
}

/** `rows x cols` matrix product of plain arrays. */
function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, k) => sum + value * b[k]![j]!, 0)));
}

function withBias(rows: number[][], bias: number[]): number[][] {
  return rows.map((row) => row.map((value, c) => value + bias[c]!));
}

/** The layer computed with plain numbers, one sample and one head at a time. */
function reference(params: WordContextParams, words: number[][][], mask: number[][]): number[][][] {
  const { width, heads, valueGain, scoreGain } = CONFIG;
  const headWidth = width / heads;
  const weight = (linear: { weight: tf.Tensor }) => linear.weight.arraySync() as number[][];
  return words.map((sample, b) => {
    const queries = matMul(sample, weight(params.query));
    const keys = matMul(sample, weight(params.key));
    const values = withBias(matMul(sample, weight(params.value)), params.value.bias!.arraySync() as number[]);
    const reads = sample.map((_, i) => {
      const joined: number[] = [];
      for (let h = 0; h < heads; h++) {
        const part = (row: number[]) => row.slice(h * headWidth, (h + 1) * headWidth);
        const scores = keys.map((key, j) =>
          mask[b]![j]
            ? (scoreGain * part(key).reduce((sum, value, k) => sum + value * part(queries[i]!)[k]!, 0)) /
              Math.sqrt(headWidth)
            : -Infinity,
        );
        const top = Math.max(...scores);
        const weights = scores.map((score) => Math.exp(score - top));
        const total = weights.reduce((sum, value) => sum + value, 0);
        for (let c = 0; c < headWidth; c++) {
          joined.push(weights.reduce((sum, w, j) => sum + (w / total) * part(values[j]!)[c]!, 0));
        }
      }
      return joined;
    });
    const update = withBias(
      matMul(reads, weight(params.output)),
      params.output.bias!.arraySync() as number[],
    );
    return sample.map((row, i) => row.map((value, c) => value + valueGain * update[i]![c]!));
  });
}

describe('word context', () => {
  const words = new SeededRandom(3).normalArray(2 * 5 * CONFIG.width);
  // Sample 0 has 3 real tokens, sample 1 all 5.
  const mask = [
    [1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1],
  ];
  const caption = () => ({ features: tf.tensor3d(words, [2, 5, CONFIG.width]), mask: tf.tensor2d(mask) });

  it('adds valueGain · heads of softmax(scoreGain · q kᵀ / √headWidth) v over the unmasked words, projected', () => {
    const params = randomParams(1);
    const input = caption();
    const before = tf.memory().numTensors;
    const out = wordContextForward(params, input);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.mask).toBe(input.mask);
    expect(out.features.shape).toEqual([2, 5, CONFIG.width]);
    const expected = reference(params, input.features.arraySync() as number[][][], mask);
    const actual = out.features.arraySync().flat(2);
    expected.flat(2).forEach((value, i) => {
      expect(actual[i]).toBeCloseTo(value, 5);
    });
    tf.dispose([input.features, input.mask, out.features]);
    disposeParams(params);
  });

  it('lets an early word read a later one, and never reads padded words', () => {
    const params = randomParams(2);
    const input = caption();
    const lastReal = tf.tidy(() => {
      const bump = tf.buffer([2, 5, CONFIG.width], 'float32');
      for (let c = 0; c < CONFIG.width; c++) bump.set(3, 0, 2, c);
      return tf.add(input.features, bump.toTensor()) as tf.Tensor3D;
    });
    const padded = tf.tidy(
      () =>
        tf.concat(
          [input.features.slice([0, 0, 0], [2, 3, -1]), tf.fill([2, 2, CONFIG.width], 40)],
          1,
        ) as tf.Tensor3D,
    );
    const base = wordContextForward(params, input).features;
    const changedLast = wordContextForward(params, { features: lastReal, mask: input.mask }).features;
    const changedPadding = wordContextForward(params, { features: padded, mask: input.mask }).features;
    const firstWord = (t: tf.Tensor3D) => (t.arraySync() as number[][][])[0]![0]!;
    const realWords = (t: tf.Tensor3D) => (t.arraySync() as number[][][])[0]!.slice(0, 3);
    expect(firstWord(changedLast)).not.toEqual(firstWord(base));
    expect(realWords(changedPadding)).toEqual(realWords(base));
    tf.dispose([input.features, input.mask, lastReal, padded, base, changedLast, changedPadding]);
    disposeParams(params);
  });

  it('starts as the identity with uniform attention, and its first gradient reaches the output projection only', () => {
    const params = initWordContext(CONFIG, new SeededRandom(4));
    const input = caption();
    const out = wordContextForward(params, input);
    expect(Array.from(out.features.dataSync())).toEqual(Array.from(input.features.dataSync()));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(tf.sin(wordContextForward(params, input).features))) as tf.Scalar,
      trainableVariables(params),
    );
    const norm = (variable: tf.Tensor) =>
      tf.tidy(() => tf.norm(grads[(variable as tf.Variable).name]!).dataSync()[0]!);
    expect(norm(params.output.weight)).toBeGreaterThan(0);
    expect(norm(params.output.bias!)).toBeGreaterThan(0);
    for (const projection of [params.query, params.key, params.value])
      expect(norm(projection.weight)).toBe(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    // Zero queries: every word reads the mean of its caption's unmasked values, whatever the keys.
    (params.output.weight as tf.Variable).assign(tf.eye(CONFIG.width));
    const uniform = wordContextForward(params, input).features;
    const expected = tf.tidy(() => {
      const flat = tf.reshape(input.features, [2 * 5, CONFIG.width]);
      const values = tf.reshape(tf.add(tf.matMul(flat, params.value.weight), params.value.bias!), [2, 5, -1]);
      const weights = tf.expandDims(tf.div(input.mask, tf.sum(input.mask, 1, true)), 2);
      return tf.add(input.features, tf.mul(tf.sum(tf.mul(values, weights), 1, true), CONFIG.valueGain));
    });
    const wanted = expected.arraySync() as number[][][];
    uniform
      .arraySync()
      .flat(2)
      .forEach((value, i) => {
        expect(value).toBeCloseTo(wanted.flat(2)[i]!, 5);
      });
    tf.dispose([uniform, expected]);
    tf.dispose([input.features, input.mask, out.features]);
    disposeParams(params);
  });

  it('rejects heads that do not divide the width, and features of another width', () => {
    expect(() => initWordContext({ width: 6, heads: 4 }, new SeededRandom(0))).toThrow(
      'initWordContext: heads (4) must divide the word width (6)',
    );
    expect(() => initWordContext({ ...CONFIG, scoreGain: -1 }, new SeededRandom(0))).toThrow(
      'initWordContext: scoreGain must be a positive number, got -1',
    );
    const params = randomParams(6);
    const wrong = { features: tf.zeros([2, 5, 4]) as tf.Tensor3D, mask: tf.ones([2, 5]) as tf.Tensor2D };
    expect(() => wordContextForward(params, wrong)).toThrow(
      'wordContextForward: word features must be [batch, words, 6], got [2, 5, 4]',
    );
    tf.dispose([wrong.features, wrong.mask]);
    disposeParams(params);
  });

  it('round-trips through a PyTorch-layout state dict', () => {
    const params = randomParams(5);
    const dict = exportWordContextToStateDict(params, 'context.0.');
    const square = [CONFIG.width, CONFIG.width];
    expect(Object.fromEntries(Object.entries(dict).map(([key, tensor]) => [key, tensor.shape]))).toEqual({
      'context.0.query.weight': square,
      'context.0.key.weight': square,
      'context.0.value.weight': square,
      'context.0.value.bias': [CONFIG.width],
      'context.0.output.weight': square,
      'context.0.output.bias': [CONFIG.width],
    });
    const loaded = loadWordContextFromStateDict(dict, 'context.0.', CONFIG);
    expect(wordContextConfig(loaded)).toEqual(CONFIG);
    expect(() => loadWordContextFromStateDict(dict, 'context.0.', { heads: 4 })).toThrow(
      'loadWordContextFromStateDict context.0.: heads (4) must divide the word width (6)',
    );
    const input = caption();
    const a = wordContextForward(params, input).features;
    const b = wordContextForward(loaded, input).features;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([...Object.values(dict), input.features, input.mask, a, b]);
    disposeParams(params);
    disposeParams(loaded);
  });
});
