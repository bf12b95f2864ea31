import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import {
  denseToLinear,
  hwioToOihw,
  linearToDense,
  nchwToNhwc,
  nhwcToNchw,
  oihwToHwio,
  transposeArray,
} from './layout';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rng = new SeededRandom(3);
const values = (count: number) => Float32Array.from({ length: count }, () => rng.uniformIn(-1, 1));
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A PyTorch-semantics conv (NCHW input, OIHW weight, stride 1, zero padding `pad`) in plain loops. */
function torchConv2d(
  x: Float32Array,
  xShape: number[],
  w: Float32Array,
  wShape: number[],
  pad: number,
): Float32Array {
  const [n, c, h, width] = xShape as [number, number, number, number];
  const [o, , kh, kw] = wShape as [number, number, number, number];
  const oh = h + 2 * pad - kh + 1;
  const ow = width + 2 * pad - kw + 1;
  const out = new Float32Array(n * o * oh * ow);
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let sum = 0;
          for (let ic = 0; ic < c; ic++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y + i - pad;
                const ix = xx + j - pad;
                if (iy < 0 || iy >= h || ix < 0 || ix >= width) continue;
                sum += x[((b * c + ic) * h + iy) * width + ix]! * w[((oc * c + ic) * kh + i) * kw + j]!;
              }
          out[((b * o + oc) * oh + y) * ow + xx] = sum;
        }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('transposeArray', () => {
  it('agrees with tf.transpose on random shapes and permutations', () => {
    for (let trial = 0; trial < 40; trial++) {
      const rank = 1 + rng.int(5);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(4));
      const perm = rng.permutation(rank);
      const data = values(size(shape));
      const ours = transposeArray({ data, shape }, perm);
      const reference = tf.tidy(() => tf.transpose(tf.tensor(data, shape), perm).dataSync());
      expect(ours.shape).toEqual(perm.map((axis) => shape[axis]));
      expect(ours.data).toEqual(reference);
    }
  });

  it('keeps the typed-array type (BigInt64Array too) and checks its input', () => {
    const out = transposeArray({ data: new BigInt64Array([1n, 2n, 3n, 4n, 5n, 6n]), shape: [2, 3] }, [1, 0]);
    expect(out.data).toEqual(new BigInt64Array([1n, 4n, 2n, 5n, 3n, 6n]));
    expect(() => transposeArray({ data: new Float32Array(6), shape: [2, 3] }, [0, 0])).toThrow(
      /perm \[0, 0\] is not a permutation of 2 axes/,
    );
    expect(() => transposeArray({ data: new Float32Array(5), shape: [2, 3] }, [1, 0])).toThrow(
      /5 values do not fill shape \[2, 3\] \(6\)/,
    );
  });
});

describe('PyTorch <-> TF.js layouts', () => {
  it('conv: a PyTorch OIHW/NCHW conv equals tf.conv2d on the converted HWIO/NHWC tensors', () => {
    const xShape = [2, 3, 6, 5];
    const wShape = [4, 3, 3, 3];
    const x = values(size(xShape));
    const w = values(size(wShape));
    const expected = torchConv2d(x, xShape, w, wShape, 1);
    const before = tf.memory().numTensors;
    const actual = tf.tidy(() => {
      const filter = oihwToHwio(tf.tensor(w, wShape)) as tf.Tensor4D;
      const input = nchwToNhwc(tf.tensor(x, xShape)) as tf.Tensor4D;
      return nhwcToNchw(tf.conv2d(input, filter, 1, 'same'));
    });
    expect(actual.shape).toEqual([2, 4, 6, 5]);
    expect(maxAbsDiff(actual.dataSync(), expected)).toBeLessThan(1e-5);
    actual.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const raw = oihwToHwio({ data: w, shape: wShape });
    expect(raw.shape).toEqual([3, 3, 3, 4]);
    const rawBack = hwioToOihw(raw);
    expect(rawBack).toEqual({ data: w, shape: wShape });
  });

  it('linear: x @ W^T + b equals tf.matMul(x, linearToDense(W)) + b', () => {
    const w = values(5 * 3);
    const x = values(2 * 3);
    const expected = new Float32Array(2 * 5);
    for (let b = 0; b < 2; b++)
      for (let o = 0; o < 5; o++)
        for (let i = 0; i < 3; i++) expected[b * 5 + o]! += x[b * 3 + i]! * w[o * 3 + i]!;
    const actual = tf.tidy(() =>
      tf.matMul(tf.tensor2d(x, [2, 3]), linearToDense(tf.tensor2d(w, [5, 3])) as tf.Tensor2D).dataSync(),
    );
    expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-6);
    const dense = linearToDense({ data: w, shape: [5, 3] });
    expect(dense.shape).toEqual([3, 5]);
    expect(denseToLinear(dense)).toEqual({ data: w, shape: [5, 3] });
  });

  it('activations of rank 3, 4 and 5 move axis 1 to the end and back', () => {
    for (const shape of [
      [2, 3, 4],
      [2, 3, 4, 5],
      [1, 3, 2, 2, 2],
    ]) {
      const data = values(size(shape));
      const last = nchwToNhwc({ data, shape });
      expect(last.shape).toEqual([shape[0], ...shape.slice(2), shape[1]]);
      expect(nhwcToNchw(last)).toEqual({ data, shape });
      const tensor = tf.tensor(data, shape);
      const viaTensor = nchwToNhwc(tensor);
      expect(viaTensor.dataSync()).toEqual(last.data);
      tf.dispose([tensor, viaTensor]);
    }
  });

  it('names the function and the expected layout on a wrong rank', () => {
    const flat = { data: new Float32Array(6), shape: [6] };
    expect(() => oihwToHwio(flat)).toThrow(
      /oihwToHwio: expected a rank-4 \[out, in, kh, kw\] input, got shape \[6\]/,
    );
    expect(() => hwioToOihw(flat)).toThrow(/hwioToOihw: expected a rank-4 \[kh, kw, in, out\] input/);
    expect(() => linearToDense(flat)).toThrow(/linearToDense: expected a rank-2 \[out, in\] input/);
    expect(() => denseToLinear(flat)).toThrow(/denseToLinear: expected a rank-2 \[in, out\] input/);
    expect(() => nchwToNhwc(flat)).toThrow(
      /nchwToNhwc: expected \[batch, channels, \.\.\.spatial\] \(rank 3 or more\)/,
    );
    expect(() => nhwcToNchw(flat)).toThrow(/nhwcToNchw: expected \[batch, \.\.\.spatial, channels\]/);
  });
});
