import { SeededRandom } from '@ratlip/runtime';
import { describe, expect, it } from 'vitest';
import { tridiagonalize } from './householder-tridiagonal';
import { multiplyTransposed } from './matrix-multiply';
import { createSymmetricProductKernel } from './simd-kernel';
import { symmetricEigen } from './symmetric-eigen';
import { tridiagonalEigen, tridiagonalEigenvalues } from './tridiagonal-eigen';

/** X X^T for a random n x rank X: symmetric PSD of the given rank. */
function randomGram(n: number, rank: number, random: SeededRandom, spread = 0): Float64Array {
  const x = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < rank; k++) x[i * rank + k] = random.normal() * Math.exp(-spread * k);
  }
  const out = new Float64Array(n * n);
  multiplyTransposed(
    n,
    n,
    rank,
    { data: x, stride: rank },
    { data: x, stride: rank },
    { data: out, stride: n },
  );
  return out;
}

function randomSymmetric(n: number, random: SeededRandom): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = random.normal();
      out[i * n + j] = value;
      out[j * n + i] = value;
    }
  }
  return out;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const value of values) max = Math.max(max, Math.abs(value));
  return max;
}

/** max |V^T diag(l) V - A| / max|A| and max |V V^T - I|. */
function reconstructionErrors(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array) {
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) scaled[j * n + i] = vectors[i * n + j]! * values[i]!;
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = vectors[i * n + j]!;
  const rebuilt = new Float64Array(n * n);
  multiplyTransposed(
    n,
    n,
    n,
    { data: scaled, stride: n },
    { data: vt, stride: n },
    { data: rebuilt, stride: n },
  );
  let reconstruction = 0;
  for (let i = 0; i < n * n; i++) reconstruction = Math.max(reconstruction, Math.abs(rebuilt[i]! - a[i]!));
  const gram = new Float64Array(n * n);
  multiplyTransposed(
    n,
    n,
    n,
    { data: vectors, stride: n },
    { data: vectors, stride: n },
    { data: gram, stride: n },
  );
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      orthogonality = Math.max(orthogonality, Math.abs(gram[i * n + j]! - (i === j ? 1 : 0)));
  }
  return { reconstruction: reconstruction / (maxAbs(a) || 1), orthogonality };
}

describe('symmetricEigen', () => {
  const random = new SeededRandom(11);
  const cases: Array<[string, number, () => Float64Array]> = [
    ['1x1', 1, () => Float64Array.of(-3)],
    ['2x2', 2, () => Float64Array.of(2, 1, 1, 2)],
    ['indefinite 17', 17, () => randomSymmetric(17, random)],
    ['full-rank Gram 90', 90, () => randomGram(90, 120, random)],
    ['rank-deficient Gram 120 (rank 30)', 120, () => randomGram(120, 30, random)],
    ['rank 1, 70', 70, () => randomGram(70, 1, random)],
    ['decaying spectrum 150 (rank 149)', 150, () => randomGram(150, 149, random, 0.08)],
    ['zero matrix 40', 40, () => new Float64Array(40 * 40)],
    [
      'identity 64 (all eigenvalues equal)',
      64,
      () => {
        const m = new Float64Array(64 * 64);
        for (let i = 0; i < 64; i++) m[i * 64 + i] = 1;
        return m;
      },
    ],
  ];
  it.each(cases)('%s: reconstructs A and returns orthonormal vectors', (_name, n, make) => {
    const a = make();
    const copy = Float64Array.from(a);
    const { values, vectors } = symmetricEigen(a, n);
    expect(a).toEqual(copy);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const errors = reconstructionErrors(a, n, values, vectors!);
    expect(errors.reconstruction).toBeLessThan(1e-12 * Math.max(1, Math.sqrt(n)));
    expect(errors.orthogonality).toBeLessThan(1e-12 * Math.max(1, Math.sqrt(n)));
    let trace = 0;
    let eigenSum = 0;
    for (let i = 0; i < n; i++) {
      trace += a[i * n + i]!;
      eigenSum += values[i]!;
    }
    expect(Math.abs(trace - eigenSum)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(trace)) * n);
  });

  it('finds the exact zero eigenvalues of a rank-deficient Gram matrix', () => {
    const n = 100;
    const rank = 37;
    const { values } = symmetricEigen(randomGram(n, rank, random), n);
    const scale = values[n - 1]!;
    for (let i = 0; i < n - rank; i++) expect(Math.abs(values[i]!)).toBeLessThan(1e-13 * scale);
    expect(values[n - rank]!).toBeGreaterThan(1e-6 * scale);
  });

  it('values-only and vectorsAbove agree with the full decomposition', () => {
    const n = 80;
    const a = randomGram(n, 50, random);
    const full = symmetricEigen(a, n);
    const only = symmetricEigen(a, n, { vectors: false });
    expect(only.vectors).toBeUndefined();
    for (let i = 0; i < n; i++) expect(only.values[i]!).toBeCloseTo(full.values[i]!, 10);
    const above = symmetricEigen(a, n, { vectorsAbove: 0.5 });
    const first = above.firstVectorIndex!;
    expect(above.values[first]!).toBeGreaterThan(0.5);
    expect(first === 0 || above.values[first - 1]! <= 0.5).toBe(true);
    expect(above.vectors!.length).toBe((n - first) * n);
    for (let t = 0; t < n - first; t++) {
      // Same eigenvector up to sign.
      let dot = 0;
      for (let j = 0; j < n; j++) dot += above.vectors![t * n + j]! * full.vectors![(first + t) * n + j]!;
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-9);
    }
  });

  it('rejects non-square input and non-finite values', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/expected n\*n/);
    expect(() => symmetricEigen(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2)).toThrow(/finite/);
  });
});

describe('tridiagonalize', () => {
  it('gives the same tridiagonal form with and without the SIMD symmetric product', () => {
    const random = new SeededRandom(8);
    const n = 133;
    // Full rank, so every reflector is well determined and the two forms agree to rounding.
    const a = randomGram(n, 200, random);
    const plain = tridiagonalize(Float64Array.from(a), n);
    const kernel = createSymmetricProductKernel(n);
    expect(kernel).not.toBeNull();
    kernel!.matrix.set(a);
    const simd = tridiagonalize(kernel!.matrix, n, kernel!);
    const tolerance = 1e-12 * maxAbs(a) * n;
    for (let i = 0; i < n; i++)
      expect(Math.abs(simd.diagonal[i]! - plain.diagonal[i]!)).toBeLessThan(tolerance);
    for (let i = 0; i < n - 1; i++) {
      expect(Math.abs(Math.abs(simd.offDiagonal[i]!) - Math.abs(plain.offDiagonal[i]!))).toBeLessThan(
        tolerance,
      );
    }
    const values = tridiagonalEigenvalues(plain.diagonal, plain.offDiagonal);
    const reference = symmetricEigen(a, n, { vectors: false }).values;
    for (let i = 0; i < n; i++) expect(values[i]!).toBeCloseTo(reference[i]!, 9);
  });
});

describe('tridiagonal eigensolvers', () => {
  it('divide and conquer matches QL eigenvalues on large tridiagonals with clusters and zeros', () => {
    const random = new SeededRandom(5);
    const n = 300;
    const d = new Float64Array(n);
    const e = new Float64Array(n - 1);
    for (let i = 0; i < n; i++) d[i] = i % 50 < 10 ? 1 : random.normal();
    for (let i = 0; i < n - 1; i++) e[i] = i % 37 === 0 ? 0 : i % 50 < 10 ? 1e-14 : random.normal();
    const dc = tridiagonalEigen(d, e);
    const ql = tridiagonalEigenvalues(d, e);
    for (let i = 0; i < n; i++) expect(dc.values[i]!).toBeCloseTo(ql[i]!, 11);
    // Residual |T v - l v| for every pair.
    let worst = 0;
    for (let j = 0; j < n; j++) {
      for (let r = 0; r < n; r++) {
        let tv = d[r]! * dc.vectors[r * n + j]!;
        if (r > 0) tv += e[r - 1]! * dc.vectors[(r - 1) * n + j]!;
        if (r < n - 1) tv += e[r]! * dc.vectors[(r + 1) * n + j]!;
        worst = Math.max(worst, Math.abs(tv - dc.values[j]! * dc.vectors[r * n + j]!));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });
});
