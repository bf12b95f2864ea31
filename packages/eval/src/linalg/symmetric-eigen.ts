import { applyTridiagonalBasis, tridiagonalize } from './householder-tridiagonal';
import { createSymmetricProductKernel } from './simd-kernel';
import { tridiagonalEigen, tridiagonalEigenvalues } from './tridiagonal-eigen';

/** Eigen-decomposition `A = V diag(values) V^T` of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /**
   * Row-major, one ROW per eigenvector: row t is the unit eigenvector of `values[firstVectorIndex + t]`
   * (all n rows unless `vectorsAbove` was given). Absent for values-only calls.
   */
  vectors?: Float64Array;
  /** Index of the eigenvalue whose eigenvector is row 0 of `vectors`. */
  firstVectorIndex?: number;
}

/** Options of {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Also compute eigenvectors. Default true. */
  vectors?: boolean;
  /**
   * Only return eigenvectors of eigenvalues strictly above this (the eigenvalues are ascending, so
   * these are the last ones); saves work when most eigenvalues are discarded. Default: all.
   */
  vectorsAbove?: number;
}

function checkSquare(matrix: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || matrix.length !== n * n) {
    throw new Error(`symmetricEigen: matrix has ${matrix.length} elements, expected n*n with n = ${n}`);
  }
}

/**
 * Float64 eigen-decomposition of the symmetric row-major `n x n` matrix (not modified; it is
 * symmetrised as (A + A^T)/2 first). Householder tridiagonalisation, then divide and conquer
 * (vectors) or implicit QL (values only). Singular and indefinite matrices are fine.
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigen {
  checkSquare(matrix, n);
  // The blocked reduction runs its symmetric products in wasm SIMD when the matrix lives in the kernel's memory.
  const kernel = n > 64 ? (createSymmetricProductKernel(n) ?? undefined) : undefined;
  const work = kernel?.matrix ?? new Float64Array(n * n);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = 0.5 * (matrix[i * n + j]! + matrix[j * n + i]!);
      if (!Number.isFinite(value)) {
        throw new Error(`symmetricEigen: matrix element (${i}, ${j}) is ${value}; expected finite values`);
      }
      work[i * n + j] = value;
      scale = Math.max(scale, Math.abs(value));
    }
  }
  if (scale === 0) scale = 1;
  // Scaling keeps squares of entries far from overflow and underflow in the reflector norms.
  const inverse = 1 / scale;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) work[i * n + j] = work[i * n + j]! * inverse;
  const form = tridiagonalize(work, n, kernel);
  if (options.vectors === false) {
    const values = tridiagonalEigenvalues(form.diagonal, form.offDiagonal);
    for (let i = 0; i < n; i++) values[i] = values[i]! * scale;
    return { values };
  }
  const eigen = tridiagonalEigen(form.diagonal, form.offDiagonal);
  const values = eigen.values;
  for (let i = 0; i < n; i++) values[i] = values[i]! * scale;
  let firstVectorIndex = 0;
  if (options.vectorsAbove !== undefined) {
    while (firstVectorIndex < n && !(values[firstVectorIndex]! > options.vectorsAbove)) firstVectorIndex++;
  }
  const count = n - firstVectorIndex;
  const rows = new Float64Array(count * n);
  for (let i = 0; i < n; i++) {
    const source = i * n + firstVectorIndex;
    for (let t = 0; t < count; t++) rows[t * n + i] = eigen.vectors[source + t]!;
  }
  applyTridiagonalBasis(form, rows, count);
  return { values, vectors: rows, firstVectorIndex };
}
