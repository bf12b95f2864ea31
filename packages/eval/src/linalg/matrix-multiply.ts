import { loadSimdKernel, type SimdKernel } from './simd-kernel';

/**
 * Dense float64 matrix products on row-major `Float64Array`s, written for V8: 4x4 register tiles
 * over contiguous rows (the "NT" form, both operands read along their rows), blocked along the
 * inner dimension so the tiles' rows stay in cache.
 */

/** A row-major view into a Float64Array: element (i, j) is `data[offset + i * stride + j]`. */
export interface MatrixView {
  data: Float64Array;
  /** Index of element (0, 0). Default 0. */
  offset?: number;
  /** Distance between consecutive rows, in elements. */
  stride: number;
}

/** Options of {@link multiplyTransposed}. */
export interface MultiplyTransposedOptions {
  /** Add the product to `c` instead of overwriting it. Default false. */
  accumulate?: boolean;
  /** Scale of the product (`c = alpha * a * b^T` or `c += alpha * a * b^T`). Default 1. */
  alpha?: number;
  /**
   * For symmetric results: compute only the 4x4 tiles touching the lower (`'lower'`, j <= i) or
   * upper (`'upper'`, j >= i) triangle; elements of the other triangle inside diagonal tiles may be
   * written too. Default: the whole matrix.
   */
  triangle?: 'lower' | 'upper';
}

/** Columns [start, end) of row i that a triangle-restricted product computes. */
function columnRange(i: number, cols: number, triangle: 'lower' | 'upper' | undefined): [number, number] {
  if (triangle === 'lower') return [0, Math.min(cols, (i | 3) + 1)];
  if (triangle === 'upper') return [Math.min(cols, i - (i % 4)), cols];
  return [0, cols];
}

const INNER_BLOCK = 256;
/** Columns of B per block of the SIMD path: 128 x 256 doubles (256 KB) stay in L2. */
const SIMD_COLUMN_BLOCK = 128;
/** Products smaller than this many multiply-adds stay in JavaScript (wasm setup would dominate). */
const SIMD_MIN_WORK = 32_768;

/**
 * `c = alpha * a * b^T` for `a` of `rows x inner`, `b` of `cols x inner`, `c` of `rows x cols`
 * (all row-major views). With `triangle`, tiles wholly inside the other triangle are left untouched.
 * Uses the WebAssembly SIMD kernel when available, else plain JavaScript; both sum over the inner
 * dimension in order, in blocks of 256.
 */
export function multiplyTransposed(
  rows: number,
  cols: number,
  inner: number,
  a: MatrixView,
  b: MatrixView,
  c: MatrixView,
  options: MultiplyTransposedOptions = {},
): void {
  const triangle = options.triangle;
  if (!options.accumulate) {
    const C = c.data;
    const cOff = c.offset ?? 0;
    for (let i = 0; i < rows; i++) {
      const [start, end] = columnRange(i, cols, triangle);
      C.fill(0, cOff + i * c.stride + start, cOff + i * c.stride + end);
    }
  }
  if (rows === 0 || cols === 0 || inner === 0) return;
  const kernel = rows * cols * inner >= SIMD_MIN_WORK ? loadSimdKernel() : null;
  if (kernel) simdProduct(kernel, rows, cols, inner, a, b, c, options.alpha ?? 1, triangle);
  else scalarProduct(rows, cols, inner, a, b, c, options.alpha ?? 1, triangle);
}

function simdProduct(
  kernel: SimdKernel,
  rows: number,
  cols: number,
  inner: number,
  a: MatrixView,
  b: MatrixView,
  c: MatrixView,
  alpha: number,
  triangle: 'lower' | 'upper' | undefined,
): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const aOff = a.offset ?? 0;
  const bOff = b.offset ?? 0;
  const cOff = c.offset ?? 0;
  const rows4 = Math.ceil(rows / 4) * 4;
  const cols4 = Math.ceil(cols / 4) * 4;
  const depthMax = Math.min(inner, INNER_BLOCK);
  const aBase = 0;
  const bBase = rows4 * depthMax;
  const outBase = bBase + cols4 * depthMax;
  const memory = kernel.view(outBase + SIMD_COLUMN_BLOCK * 4);
  for (let k0 = 0; k0 < inner; k0 += INNER_BLOCK) {
    const depth = Math.min(INNER_BLOCK, inner - k0);
    packPanel(A, aOff, a.stride, rows, rows4, k0, depth, memory, aBase);
    packPanel(B, bOff, b.stride, cols, cols4, k0, depth, memory, bBase);
    for (let j0 = 0; j0 < cols4; j0 += SIMD_COLUMN_BLOCK) {
      const j1 = Math.min(cols4, j0 + SIMD_COLUMN_BLOCK);
      for (let i = 0; i < rows4; i += 4) {
        const jStart = triangle === 'upper' ? Math.max(j0, i) : j0;
        const jEnd = triangle === 'lower' ? Math.min(j1, i + 4) : j1;
        if (jStart >= jEnd) continue;
        const tiles = (jEnd - jStart) / 4;
        kernel.strip((aBase + i * depth) * 8, (bBase + jStart * depth) * 8, depth, tiles, outBase * 8);
        const rowEnd = Math.min(4, rows - i);
        for (let t = 0; t < tiles; t++) {
          const col = jStart + 4 * t;
          const colEnd = Math.min(4, cols - col);
          for (let r = 0; r < rowEnd; r++) {
            const target = cOff + (i + r) * c.stride + col;
            const source = outBase + t * 16 + r * 4;
            for (let q = 0; q < colEnd; q++) C[target + q] = C[target + q]! + alpha * memory[source + q]!;
          }
        }
      }
    }
  }
}

/** Packs rows [0, count) x columns [k0, k0 + depth) as strips of 4 rows, depth-major (zero rows pad to count4). */
function packPanel(
  source: Float64Array,
  offset: number,
  stride: number,
  count: number,
  count4: number,
  k0: number,
  depth: number,
  target: Float64Array,
  base: number,
): void {
  for (let i = 0; i < count4; i += 4) {
    const strip = base + i * depth;
    for (let r = 0; r < 4; r++) {
      const row = i + r;
      if (row >= count) {
        for (let p = 0; p < depth; p++) target[strip + p * 4 + r] = 0;
        continue;
      }
      const start = offset + row * stride + k0;
      for (let p = 0; p < depth; p++) target[strip + p * 4 + r] = source[start + p]!;
    }
  }
}

function scalarProduct(
  rows: number,
  cols: number,
  inner: number,
  a: MatrixView,
  b: MatrixView,
  c: MatrixView,
  alpha: number,
  triangle: 'lower' | 'upper' | undefined,
): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const aOff = a.offset ?? 0;
  const bOff = b.offset ?? 0;
  const cOff = c.offset ?? 0;
  const lda = a.stride;
  const ldb = b.stride;
  const ldc = c.stride;
  const rows4 = rows - (rows % 4);
  const cols4 = cols - (cols % 4);
  for (let k0 = 0; k0 < inner; k0 += INNER_BLOCK) {
    const k1 = Math.min(inner, k0 + INNER_BLOCK);
    for (let i = 0; i < rows4; i += 4) {
      const a0 = aOff + i * lda;
      const a1 = a0 + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      const c0 = cOff + i * ldc;
      const c1 = c0 + ldc;
      const c2 = c1 + ldc;
      const c3 = c2 + ldc;
      const jStart = triangle === 'upper' ? i : 0;
      const jEnd = triangle === 'lower' ? Math.min(cols4, i + 4) : cols4;
      for (let j = jStart; j < jEnd; j += 4) {
        const b0 = bOff + j * ldb;
        const b1 = b0 + ldb;
        const b2 = b1 + ldb;
        const b3 = b2 + ldb;
        let s00 = 0;
        let s01 = 0;
        let s02 = 0;
        let s03 = 0;
        let s10 = 0;
        let s11 = 0;
        let s12 = 0;
        let s13 = 0;
        let s20 = 0;
        let s21 = 0;
        let s22 = 0;
        let s23 = 0;
        let s30 = 0;
        let s31 = 0;
        let s32 = 0;
        let s33 = 0;
        for (let k = k0; k < k1; k++) {
          const x0 = A[a0 + k]!;
          const x1 = A[a1 + k]!;
          const x2 = A[a2 + k]!;
          const x3 = A[a3 + k]!;
          const y0 = B[b0 + k]!;
          const y1 = B[b1 + k]!;
          const y2 = B[b2 + k]!;
          const y3 = B[b3 + k]!;
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3;
          s20 += x2 * y0;
          s21 += x2 * y1;
          s22 += x2 * y2;
          s23 += x2 * y3;
          s30 += x3 * y0;
          s31 += x3 * y1;
          s32 += x3 * y2;
          s33 += x3 * y3;
        }
        C[c0 + j] = C[c0 + j]! + alpha * s00;
        C[c0 + j + 1] = C[c0 + j + 1]! + alpha * s01;
        C[c0 + j + 2] = C[c0 + j + 2]! + alpha * s02;
        C[c0 + j + 3] = C[c0 + j + 3]! + alpha * s03;
        C[c1 + j] = C[c1 + j]! + alpha * s10;
        C[c1 + j + 1] = C[c1 + j + 1]! + alpha * s11;
        C[c1 + j + 2] = C[c1 + j + 2]! + alpha * s12;
        C[c1 + j + 3] = C[c1 + j + 3]! + alpha * s13;
        C[c2 + j] = C[c2 + j]! + alpha * s20;
        C[c2 + j + 1] = C[c2 + j + 1]! + alpha * s21;
        C[c2 + j + 2] = C[c2 + j + 2]! + alpha * s22;
        C[c2 + j + 3] = C[c2 + j + 3]! + alpha * s23;
        C[c3 + j] = C[c3 + j]! + alpha * s30;
        C[c3 + j + 1] = C[c3 + j + 1]! + alpha * s31;
        C[c3 + j + 2] = C[c3 + j + 2]! + alpha * s32;
        C[c3 + j + 3] = C[c3 + j + 3]! + alpha * s33;
      }
    }
    // Edges: rows beyond the last full tile, and columns beyond the last full tile.
    for (let i = 0; i < rows; i++) {
      const [rowStart, jEnd] = columnRange(i, cols, triangle);
      const jStart = i < rows4 ? Math.max(cols4, rowStart) : rowStart;
      const ai = aOff + i * lda;
      const ci = cOff + i * ldc;
      for (let j = jStart; j < jEnd; j++) {
        const bj = bOff + j * ldb;
        let sum = 0;
        for (let k = k0; k < k1; k++) sum += A[ai + k]! * B[bj + k]!;
        C[ci + j] = C[ci + j]! + alpha * sum;
      }
    }
  }
}

/** Copies the lower triangle of the square row-major `n x n` matrix into its upper triangle. */
export function mirrorLowerToUpper(matrix: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = i + 1; j < n; j++) matrix[row + j] = matrix[j * n + i]!;
  }
}

/** Transpose of the row-major `rows x cols` matrix, as a new row-major `cols x rows` matrix. */
export function transpose(matrix: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const block = 32;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(cols, j0 + block);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) out[j * rows + i] = matrix[i * cols + j]!;
      }
    }
  }
  return out;
}
