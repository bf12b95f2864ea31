import { SeededRandom } from '@ratlip/runtime';
import { readJsonFixture } from '@ratlip/runtime/testing';
import { describe, expect, it } from 'vitest';
import { frechetDistance } from './frechet-distance';
import type { GaussianStatistics } from './gaussian-statistics';

interface Fid64Case {
  name: string;
  mu1: number[];
  sigma1: number[][];
  mu2: number[];
  sigma2: number[][];
  fid_pytorch_fid_scipy_sqrtm: number;
  fid_symmetric_eig_f64: number;
}

function statistics(mean: number[], covariance: number[][]): GaussianStatistics {
  return {
    dim: mean.length,
    mean: Float64Array.from(mean),
    covariance: Float64Array.from(covariance.flat()),
  };
}

/** X X^T / samples for a random d x samples X. */
function randomCovariance(n: number, samples: number, random: SeededRandom): Float64Array {
  const x = Array.from({ length: n * samples }, () => random.normal());
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < samples; k++) sum += x[i * samples + k]! * x[j * samples + k]!;
      out[i * n + j] = sum / samples;
    }
  }
  return out;
}

describe('frechetDistance', () => {
  const fixture = readJsonFixture<{ dim: number; cases: Fid64Case[] }>('clip/fid64.json');

  it.each(fixture.cases.map((c) => [c.name, c] as const))(
    'reproduces fid64.json %s to 1e-6 relative (scipy sqrtm and float64 eigh)',
    (_name, c) => {
      const first = statistics(c.mu1, c.sigma1);
      const second = statistics(c.mu2, c.sigma2);
      expect(first.dim).toBe(fixture.dim);
      const { value } = frechetDistance(first, second);
      for (const reference of [c.fid_pytorch_fid_scipy_sqrtm, c.fid_symmetric_eig_f64]) {
        expect(Math.abs(value - reference) / Math.abs(reference)).toBeLessThan(1e-6);
      }
      // Symmetric in its arguments.
      const swapped = frechetDistance(second, first).value;
      expect(Math.abs(swapped - value) / Math.abs(value)).toBeLessThan(1e-9);
      console.info(
        `${c.name}: FID ${value} (scipy ${c.fid_pytorch_fid_scipy_sqrtm}, eigh ${c.fid_symmetric_eig_f64})`,
      );
    },
  );

  it('is 0 for identical singular Gaussians and matches the closed form for commuting covariances', () => {
    const random = new SeededRandom(3);
    const n = 30;
    const rank = 12;
    const x = Array.from({ length: n * rank }, () => random.normal());
    const covariance = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k < rank; k++) sum += x[i * rank + k]! * x[j * rank + k]!;
        covariance[i * n + j] = sum;
      }
    }
    const mean = Float64Array.from({ length: n }, () => random.normal());
    const same = frechetDistance({ dim: n, mean, covariance }, { dim: n, mean, covariance });
    let trace = 0;
    for (let i = 0; i < n; i++) trace += covariance[i * n + i]!;
    expect(Math.abs(same.value)).toBeLessThan(1e-6 * trace);

    // A known sample count <= d makes the second covariance the one decomposed; same distance.
    const full = randomCovariance(n, 3 * n, random);
    const plain = frechetDistance({ dim: n, mean, covariance: full }, { dim: n, mean, covariance });
    const counted = frechetDistance(
      { dim: n, mean, covariance: full, count: 3 * n },
      { dim: n, mean, covariance, count: rank },
    );
    expect(Math.abs(counted.value - plain.value)).toBeLessThan(1e-9 * plain.value);

    // Diagonal covariances: FID = |dmu|^2 + sum (sqrt(a) - sqrt(b))^2, zeros included.
    const a = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1 + i));
    const b = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 2 + 0.5 * i));
    const diag = (values: Float64Array) => {
      const m = new Float64Array(n * n);
      for (let i = 0; i < n; i++) m[i * n + i] = values[i]!;
      return m;
    };
    const meanB = mean.map((v, i) => v + (i % 2 === 0 ? 0.5 : -0.25));
    let expected = 0;
    for (let i = 0; i < n; i++)
      expected += (mean[i]! - meanB[i]!) ** 2 + (Math.sqrt(a[i]!) - Math.sqrt(b[i]!)) ** 2;
    const got = frechetDistance(
      { dim: n, mean, covariance: diag(a) },
      { dim: n, mean: meanB, covariance: diag(b) },
    );
    expect(Math.abs(got.value - expected) / expected).toBeLessThan(1e-12);
  });

  it('names the problem for mismatched inputs', () => {
    const one = { dim: 2, mean: new Float64Array(2), covariance: new Float64Array(4) };
    expect(() =>
      frechetDistance(one, { dim: 3, mean: new Float64Array(3), covariance: new Float64Array(9) }),
    ).toThrow(/feature widths differ \(2 vs 3\)/);
    expect(() =>
      frechetDistance(one, { dim: 2, mean: new Float64Array(2), covariance: new Float64Array(3) }),
    ).toThrow(/second statistics: covariance has 3 values/);
  });
});
