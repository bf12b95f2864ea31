import { mirrorLowerToUpper, multiplyTransposed } from '../linalg/matrix-multiply';
import { symmetricEigen } from '../linalg/symmetric-eigen';
import { checkGaussianStatistics, type GaussianStatistics } from './gaussian-statistics';

/** The Fréchet distance and its parts. */
export interface FrechetDistance {
  /** `|mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr(sqrt(sqrt(S1) S2 sqrt(S1)))`. */
  value: number;
  /** `|mu1 - mu2|^2`. */
  meanTerm: number;
  /** `tr(S1) + tr(S2)`. */
  traceTerm: number;
  /** `tr(sqrt(sqrt(S1) S2 sqrt(S1)))`. */
  crossTerm: number;
  /** Most negative eigenvalue clipped to 0 (0 if none) of the decomposed covariance: how far from PSD rounding left it. */
  clippedEigenvalue: number;
}

function symmetrised(matrix: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = 0.5 * (matrix[i * n + j]! + matrix[j * n + i]!);
      out[i * n + j] = value;
      out[j * n + i] = value;
    }
  }
  return out;
}

/**
 * Fréchet distance between two Gaussians, entirely in float64 with symmetric
 * eigendecompositions: S1 = V diag(l) V^T gives sqrt(S1) = V diag(sqrt(max(l, 0))) V^T, and the
 * eigenvalues of sqrt(S1) S2 sqrt(S1) (negatives clipped to 0) give the trace of its square root.
 * With A = diag(sqrt(l)) V^T restricted to l > 0 (rows r), that matrix has the eigenvalues of
 * A S2 A^T (r x r), which is what is decomposed. Singular covariances (fewer samples than
 * dimensions) are handled exactly; no Newton iteration is involved. S1 is the first covariance, or
 * the second when its `count` is known, at most d and smaller (a rank-deficient S1 is cheaper).
 */
export function frechetDistance(first: GaussianStatistics, second: GaussianStatistics): FrechetDistance {
  checkGaussianStatistics(first, 'frechetDistance first statistics');
  checkGaussianStatistics(second, 'frechetDistance second statistics');
  if (first.dim !== second.dim) {
    throw new Error(`frechetDistance: feature widths differ (${first.dim} vs ${second.dim})`);
  }
  const n = first.dim;
  let meanTerm = 0;
  let traceTerm = 0;
  for (let i = 0; i < n; i++) {
    const difference = first.mean[i]! - second.mean[i]!;
    meanTerm += difference * difference;
    traceTerm += first.covariance[i * n + i]! + second.covariance[i * n + i]!;
  }
  // The distance is symmetric; decomposing the covariance of rank < d (known from a sample count
  // <= d) first leaves fewer eigenvectors to carry, which roughly halves the work.
  const [factored, other] =
    (second.count ?? Number.POSITIVE_INFINITY) < Math.min(first.count ?? Number.POSITIVE_INFINITY, n + 1)
      ? [second, first]
      : [first, second];
  const eigen = symmetricEigen(factored.covariance, n, { vectorsAbove: 0 });
  const firstVector = eigen.firstVectorIndex ?? n;
  const rank = n - firstVector;
  const clippedEigenvalue = Math.min(eigen.values[0] ?? 0, 0);
  let crossTerm = 0;
  if (rank > 0) {
    // a = diag(sqrt(l)) V^T for the positive eigenvalues: rank x n.
    const a = eigen.vectors ?? new Float64Array(0);
    for (let row = 0; row < rank; row++) {
      const root = Math.sqrt(eigen.values[firstVector + row]!);
      for (let j = 0; j < n; j++) a[row * n + j] = a[row * n + j]! * root;
    }
    const s2 = symmetrised(other.covariance, n);
    const as2 = new Float64Array(rank * n);
    multiplyTransposed(rank, n, n, { data: a, stride: n }, { data: s2, stride: n }, { data: as2, stride: n });
    const inner = new Float64Array(rank * rank);
    multiplyTransposed(
      rank,
      rank,
      n,
      { data: as2, stride: n },
      { data: a, stride: n },
      { data: inner, stride: rank },
      { triangle: 'lower' },
    );
    mirrorLowerToUpper(inner, rank);
    const innerValues = symmetricEigen(inner, rank, { vectors: false }).values;
    for (const value of innerValues) if (value > 0) crossTerm += Math.sqrt(value);
  }
  return {
    value: meanTerm + traceTerm - 2 * crossTerm,
    meanTerm,
    traceTerm,
    crossTerm,
    clippedEigenvalue,
  };
}
