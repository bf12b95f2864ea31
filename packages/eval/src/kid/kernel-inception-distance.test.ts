import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FeatureMatrix, kernelInceptionDistance } from './kernel-inception-distance';

function gaussianFeatures(rows: number, dim: number, random: SeededRandom, shift = 0): FeatureMatrix {
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, random.normal() + 0.5 + shift);
  return { rows, dim, data };
}

/** Direct float64 unbiased MMD^2 with the cubic kernel, for one pair of sets. */
function directMmd(x: FeatureMatrix, y: FeatureMatrix): number {
  const k = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let dot = 0;
    for (let t = 0; t < x.dim; t++) dot += a[i * x.dim + t]! * b[j * x.dim + t]!;
    return (dot / x.dim + 1) ** 3;
  };
  const m = x.rows;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      xy += k(x.data, i, y.data, j);
      if (i !== j) {
        xx += k(x.data, i, x.data, j);
        yy += k(y.data, i, y.data, j);
      }
    }
  }
  return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
}

describe('kernelInceptionDistance', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('equals the direct unbiased MMD^2 when one subset covers both sets', async () => {
    const random = new SeededRandom(1);
    const x = gaussianFeatures(40, 16, random);
    const y = gaussianFeatures(40, 16, random, 0.3);
    const kid = await kernelInceptionDistance(x, y, { subsets: 3, subsetSize: 40 });
    const direct = directMmd(x, y);
    for (const value of kid.values) expect(Math.abs(value - direct)).toBeLessThan(1e-5 * Math.abs(direct));
    expect(kid.std).toBeLessThan(1e-5 * Math.abs(direct));
  });

  it('is about 0 for one distribution, clearly positive for a shifted one; subsets shrink to the sample count', async () => {
    const random = new SeededRandom(2);
    const dim = 64;
    const real = gaussianFeatures(300, dim, random);
    const same = gaussianFeatures(250, dim, random);
    const shifted = gaussianFeatures(250, dim, random, 0.25);
    const before = tf.memory().numTensors;
    const null_ = await kernelInceptionDistance(real, same, { subsets: 20, seed: 4 });
    const alternative = await kernelInceptionDistance(real, shifted, { subsets: 20, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(null_.subsetSize).toBe(250);
    expect(null_.gamma).toBe(1 / dim);
    expect(Math.abs(null_.mean)).toBeLessThan(3 * null_.std + 1e-3);
    expect(alternative.mean).toBeGreaterThan(10 * Math.abs(null_.mean));
    expect(alternative.mean).toBeGreaterThan(5 * alternative.std);
    // Same seed, same subsets, same estimate.
    const again = await kernelInceptionDistance(real, shifted, { subsets: 20, seed: 4 });
    expect(again.values).toEqual(alternative.values);
  });

  it('rejects mismatched widths and too few samples', async () => {
    const random = new SeededRandom(3);
    await expect(
      kernelInceptionDistance(gaussianFeatures(5, 4, random), gaussianFeatures(5, 3, random)),
    ).rejects.toThrow(/feature widths differ \(4 vs 3\)/);
    await expect(
      kernelInceptionDistance(gaussianFeatures(1, 4, random), gaussianFeatures(5, 4, random)),
    ).rejects.toThrow(/at least 2 samples/);
  });
});
