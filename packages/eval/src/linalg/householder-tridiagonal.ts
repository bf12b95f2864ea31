import { multiplyTransposed } from './matrix-multiply';
import type { SymmetricProductKernel } from './simd-kernel';

/**
 * `A = Q T Q^T` for a symmetric `A`: `T` tridiagonal, `Q = H_0 H_1 ... H_{n-3}` a product of
 * Householder reflectors `H_k = I - tau_k v_k v_k^T` (`v_k` zero up to index k, 1 at k + 1).
 */
export interface TridiagonalForm {
  n: number;
  /** Diagonal of T, length n. */
  diagonal: Float64Array;
  /** Sub-diagonal of T (`T[i+1][i]`), length max(n - 1, 0). */
  offDiagonal: Float64Array;
  /** Row k holds `v_k` at columns k+1..n-1 (row-major `n x n`; other entries are workspace). */
  reflectors: Float64Array;
  /** `tau_k`, length n (0 where no reflection was needed). */
  tau: Float64Array;
}

/**
 * Householder tridiagonalisation of the symmetric row-major `n x n` matrix `a`, read from its upper
 * triangle and overwritten (row k ends up holding reflector k). Panels of 32 columns are reduced
 * with a symmetric matrix-vector product per column against the not-yet-updated trailing matrix
 * (LAPACK's dlatrd scheme), then the trailing matrix gets one rank-64 update as a matrix product;
 * the last columns use the unblocked fused loop.
 */
export function tridiagonalize(a: Float64Array, n: number, kernel?: SymmetricProductKernel): TridiagonalForm {
  if (kernel && kernel.matrix !== a)
    throw new Error('tridiagonalize: the matrix must be the kernel workspace matrix');
  const form: TridiagonalForm = {
    n,
    diagonal: new Float64Array(n),
    offDiagonal: new Float64Array(Math.max(n - 1, 0)),
    reflectors: a,
    tau: new Float64Array(n),
  };
  let k0 = 0;
  if (n > 2 * PANEL) {
    const workspace: PanelWorkspace = {
      kernel,
      v: new Float64Array(n * PANEL),
      w: new Float64Array(n * PANEL),
      y: kernel?.y ?? new Float64Array(n),
      reflector: kernel?.x ?? new Float64Array(n),
      left: new Float64Array(n * 2 * PANEL),
      right: new Float64Array(n * 2 * PANEL),
    };
    for (; n - k0 > 2 * PANEL; k0 += PANEL) reducePanel(form, k0, workspace);
  }
  reduceUnblocked(form, k0);
  return form;
}

const PANEL = 32;

interface PanelWorkspace {
  /** SIMD symmetric product over the matrix, when available (then `reflector` and `y` live in it). */
  kernel: SymmetricProductKernel | undefined;
  /** `v[r * PANEL + c]`: reflector of panel column c at row r. */
  v: Float64Array;
  /** `w[r * PANEL + c]`: the matching rank-2 partner. */
  w: Float64Array;
  y: Float64Array;
  /** The current reflector as a dense vector (indices above the panel column). */
  reflector: Float64Array;
  left: Float64Array;
  right: Float64Array;
}

/**
 * Builds the reflector of the row segment a[row, start..n-1] in place (LAPACK dlarfg: v[start] = 1),
 * stores tau and the off-diagonal, and returns tau (0 when no reflection is needed).
 */
function makeReflector(form: TridiagonalForm, k: number): number {
  const { n, reflectors: a } = form;
  const row = k * n;
  const alpha = a[row + k + 1]!;
  let tailSquares = 0;
  for (let j = k + 2; j < n; j++) tailSquares += a[row + j]! * a[row + j]!;
  if (tailSquares === 0) {
    form.offDiagonal[k] = alpha;
    form.tau[k] = 0;
    return 0;
  }
  const beta = (alpha >= 0 ? -1 : 1) * Math.hypot(alpha, Math.sqrt(tailSquares));
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  a[row + k + 1] = 1;
  for (let j = k + 2; j < n; j++) a[row + j] = a[row + j]! * scale;
  form.offDiagonal[k] = beta;
  form.tau[k] = tau;
  return tau;
}

function reducePanel(form: TridiagonalForm, k0: number, work: PanelWorkspace): void {
  const { n, reflectors: a } = form;
  const { v, w, y, reflector } = work;
  v.fill(0, k0 * PANEL);
  w.fill(0, k0 * PANEL);
  for (let c = 0; c < PANEL; c++) {
    const i = k0 + c;
    const row = i * n;
    // Bring column i up to date with the panel's earlier reflectors.
    if (c > 0) {
      const vi = i * PANEL;
      for (let r = i; r < n; r++) {
        const rr = r * PANEL;
        let correction = 0;
        for (let t = 0; t < c; t++) correction += v[rr + t]! * w[vi + t]! + w[rr + t]! * v[vi + t]!;
        a[row + r] = a[row + r]! - correction;
      }
    }
    form.diagonal[i] = a[row + i]!;
    const tau = makeReflector(form, i);
    if (tau === 0) continue;
    for (let r = i + 1; r < n; r++) {
      v[r * PANEL + c] = a[row + r]!;
      reflector[r] = a[row + r]!;
    }
    // y = A22 v with A22 the trailing matrix as stored (not yet updated by this panel).
    if (work.kernel) symmetricProductUpperSimd(work.kernel, n, i + 1);
    else symmetricProductUpper(a, n, i + 1, reflector, y);
    // Subtract the pending panel update: (V W^T + W V^T) v.
    if (c > 0) {
      const wv = new Float64Array(c);
      const vv = new Float64Array(c);
      for (let r = i + 1; r < n; r++) {
        const rr = r * PANEL;
        const vr = a[row + r]!;
        for (let t = 0; t < c; t++) {
          wv[t] = wv[t]! + w[rr + t]! * vr;
          vv[t] = vv[t]! + v[rr + t]! * vr;
        }
      }
      for (let r = i + 1; r < n; r++) {
        const rr = r * PANEL;
        let correction = 0;
        for (let t = 0; t < c; t++) correction += v[rr + t]! * wv[t]! + w[rr + t]! * vv[t]!;
        y[r] = y[r]! - correction;
      }
    }
    let dot = 0;
    for (let r = i + 1; r < n; r++) {
      y[r] = y[r]! * tau;
      dot += y[r]! * a[row + r]!;
    }
    const shift = -0.5 * tau * dot;
    for (let r = i + 1; r < n; r++) w[r * PANEL + c] = y[r]! + shift * a[row + r]!;
  }
  // Trailing update A22 -= V W^T + W V^T = [W V] [V W]^T on the upper triangle.
  const start = k0 + PANEL;
  const m = n - start;
  const { left, right } = work;
  const width = 2 * PANEL;
  for (let r = 0; r < m; r++) {
    const source = (start + r) * PANEL;
    const target = r * width;
    for (let t = 0; t < PANEL; t++) {
      left[target + t] = w[source + t]!;
      left[target + PANEL + t] = v[source + t]!;
      right[target + t] = v[source + t]!;
      right[target + PANEL + t] = w[source + t]!;
    }
  }
  multiplyTransposed(
    m,
    m,
    width,
    { data: left, stride: width },
    { data: right, stride: width },
    { data: a, offset: start * n + start, stride: n },
    { accumulate: true, alpha: -1, triangle: 'upper' },
  );
}

/**
 * y[start..n) = A x for the symmetric trailing block A = a[start.., start..] stored in its upper
 * triangle. Four rows at a time, so each x[r] and y[r] is loaded once per four matrix rows.
 */
function symmetricProductUpper(
  a: Float64Array,
  n: number,
  start: number,
  x: Float64Array,
  y: Float64Array,
): void {
  y.fill(0, start, n);
  let j = start;
  for (; j + 3 < n; j += 4) {
    const r0 = j * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    const x0 = x[j]!;
    const x1 = x[j + 1]!;
    const x2 = x[j + 2]!;
    const x3 = x[j + 3]!;
    // The 4x4 diagonal block (upper part stored).
    const a01 = a[r0 + j + 1]!;
    const a02 = a[r0 + j + 2]!;
    const a03 = a[r0 + j + 3]!;
    const a12 = a[r1 + j + 2]!;
    const a13 = a[r1 + j + 3]!;
    const a23 = a[r2 + j + 3]!;
    let s0 = a[r0 + j]! * x0 + a01 * x1 + a02 * x2 + a03 * x3;
    let s1 = a01 * x0 + a[r1 + j + 1]! * x1 + a12 * x2 + a13 * x3;
    let s2 = a02 * x0 + a12 * x1 + a[r2 + j + 2]! * x2 + a23 * x3;
    let s3 = a03 * x0 + a13 * x1 + a23 * x2 + a[r3 + j + 3]! * x3;
    for (let r = j + 4; r < n; r++) {
      const b0 = a[r0 + r]!;
      const b1 = a[r1 + r]!;
      const b2 = a[r2 + r]!;
      const b3 = a[r3 + r]!;
      const xr = x[r]!;
      s0 += b0 * xr;
      s1 += b1 * xr;
      s2 += b2 * xr;
      s3 += b3 * xr;
      y[r] = y[r]! + b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
    }
    y[j] = y[j]! + s0;
    y[j + 1] = y[j + 1]! + s1;
    y[j + 2] = y[j + 2]! + s2;
    y[j + 3] = y[j + 3]! + s3;
  }
  for (; j < n; j++) {
    const rowJ = j * n;
    const xj = x[j]!;
    let rowSum = a[rowJ + j]! * xj;
    for (let r = j + 1; r < n; r++) {
      const value = a[rowJ + r]!;
      rowSum += value * x[r]!;
      y[r] = y[r]! + value * xj;
    }
    y[j] = y[j]! + rowSum;
  }
}

/** {@link symmetricProductUpper} with the column loops in WebAssembly SIMD (x, y, A in the kernel). */
function symmetricProductUpperSimd(kernel: SymmetricProductKernel, n: number, start: number): void {
  const { matrix: a, x, y } = kernel;
  const sums = new Float64Array(4);
  y.fill(0, start, n);
  let j = start;
  for (; j + 3 < n; j += 4) {
    kernel.accumulateRows(j, j + 4, sums);
    for (let p = 0; p < 4; p++) {
      let diagonal = 0;
      for (let q = 0; q < 4; q++) {
        const [row, col] = p <= q ? [j + p, j + q] : [j + q, j + p];
        diagonal += a[row * n + col]! * x[j + q]!;
      }
      y[j + p] = y[j + p]! + diagonal + sums[p]!;
    }
  }
  for (; j < n; j++) {
    const rowJ = j * n;
    const xj = x[j]!;
    let rowSum = a[rowJ + j]! * xj;
    for (let r = j + 1; r < n; r++) {
      const value = a[rowJ + r]!;
      rowSum += value * x[r]!;
      y[r] = y[r]! + value * xj;
    }
    y[j] = y[j]! + rowSum;
  }
}

/**
 * Reduces rows k0.. one column at a time; each pass over the trailing matrix finishes the previous
 * step's rank-2 update and computes the current step's symmetric product, loading each element once.
 */
function reduceUnblocked(form: TridiagonalForm, k0: number): void {
  const { n, reflectors: a, diagonal } = form;
  const vPrev = new Float64Array(n);
  let wPrev = new Float64Array(n);
  let w = new Float64Array(n);
  let hasPrev = false;
  for (let k = k0; k < n; k++) {
    const rowK = k * n;
    if (hasPrev) {
      const vk = vPrev[k]!;
      const wk = wPrev[k]!;
      for (let j = k; j < n; j++) a[rowK + j] = a[rowK + j]! - (vk * wPrev[j]! + wk * vPrev[j]!);
    }
    diagonal[k] = a[rowK + k]!;
    if (k === n - 1) break;
    const tauK = makeReflector(form, k);
    const reflect = tauK !== 0;
    if (reflect) w.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const rowI = i * n;
      const vi = reflect ? a[rowK + i]! : 0;
      let rowSum = 0;
      if (hasPrev) {
        const vpi = vPrev[i]!;
        const wpi = wPrev[i]!;
        if (reflect) {
          const diag = a[rowI + i]! - 2 * vpi * wpi;
          a[rowI + i] = diag;
          rowSum = diag * vi;
          for (let j = i + 1; j < n; j++) {
            const value = a[rowI + j]! - (vpi * wPrev[j]! + wpi * vPrev[j]!);
            a[rowI + j] = value;
            rowSum += value * a[rowK + j]!;
            w[j] = w[j]! + value * vi;
          }
        } else {
          for (let j = i; j < n; j++) a[rowI + j] = a[rowI + j]! - (vpi * wPrev[j]! + wpi * vPrev[j]!);
        }
      } else if (reflect) {
        rowSum = a[rowI + i]! * vi;
        for (let j = i + 1; j < n; j++) {
          const value = a[rowI + j]!;
          rowSum += value * a[rowK + j]!;
          w[j] = w[j]! + value * vi;
        }
      }
      if (reflect) w[i] = w[i]! + rowSum;
    }
    if (reflect) {
      let pv = 0;
      for (let i = k + 1; i < n; i++) {
        w[i] = w[i]! * tauK;
        pv += w[i]! * a[rowK + i]!;
      }
      const correction = 0.5 * tauK * pv;
      for (let i = k + 1; i < n; i++) {
        w[i] = w[i]! - correction * a[rowK + i]!;
        vPrev[i] = a[rowK + i]!;
      }
      const swap = wPrev;
      wPrev = w;
      w = swap;
    }
    hasPrev = reflect;
  }
}

const REFLECTOR_BLOCK = 64;

/**
 * Replaces each row x of the row-major `rows x n` matrix `vectors` by `Q x` (written as a row,
 * `x^T Q^T`), turning eigenvectors of T into eigenvectors of A. Reflectors are applied in blocks of
 * 64 through the compact WY form `H_k0 ... H_k1-1 = I - Y U Y^T`, so the work is matrix products.
 */
export function applyTridiagonalBasis(form: TridiagonalForm, vectors: Float64Array, rows: number): void {
  const { n, reflectors, tau } = form;
  const last = n - 2;
  if (last <= 0 || rows === 0) return;
  const yt = new Float64Array(REFLECTOR_BLOCK * n);
  const y = new Float64Array(n * REFLECTOR_BLOCK);
  const u = new Float64Array(REFLECTOR_BLOCK * REFLECTOR_BLOCK);
  const projected = new Float64Array(rows * REFLECTOR_BLOCK);
  const scaled = new Float64Array(rows * REFLECTOR_BLOCK);
  const lastBlockStart = Math.floor((last - 1) / REFLECTOR_BLOCK) * REFLECTOR_BLOCK;
  // x^T Q^T = x^T H_{n-3} ... H_0: the highest-numbered block goes first.
  for (let k0 = lastBlockStart; k0 >= 0; k0 -= REFLECTOR_BLOCK) {
    const k1 = Math.min(last, k0 + REFLECTOR_BLOCK);
    const nb = k1 - k0;
    const start = k0 + 1;
    const width = n - start;
    yt.fill(0, 0, nb * n);
    for (let c = 0; c < nb; c++) {
      const k = k0 + c;
      if (tau[k] === 0) continue;
      for (let j = k + 1; j < n; j++) yt[c * n + j] = reflectors[k * n + j]!;
    }
    // U upper triangular with H_k0 ... H_k1-1 = I - Y U Y^T.
    u.fill(0);
    for (let c = 0; c < nb; c++) {
      const tauC = tau[k0 + c]!;
      u[c * REFLECTOR_BLOCK + c] = tauC;
      if (c === 0 || tauC === 0) continue;
      const dots = new Float64Array(c);
      for (let r = 0; r < c; r++) {
        let sum = 0;
        for (let j = k0 + c + 1; j < n; j++) sum += yt[r * n + j]! * yt[c * n + j]!;
        dots[r] = sum;
      }
      for (let r = 0; r < c; r++) {
        let sum = 0;
        for (let s = r; s < c; s++) sum += u[r * REFLECTOR_BLOCK + s]! * dots[s]!;
        u[r * REFLECTOR_BLOCK + c] = -tauC * sum;
      }
    }
    // projected = X Y (rows x nb), then scaled = projected U^T, then X -= scaled Y^T.
    multiplyTransposed(
      rows,
      nb,
      width,
      { data: vectors, offset: start, stride: n },
      { data: yt, offset: start, stride: n },
      { data: projected, stride: REFLECTOR_BLOCK },
    );
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < nb; c++) {
        let sum = 0;
        for (let s = c; s < nb; s++) sum += projected[r * REFLECTOR_BLOCK + s]! * u[c * REFLECTOR_BLOCK + s]!;
        scaled[r * REFLECTOR_BLOCK + c] = sum;
      }
    }
    for (let j = 0; j < width; j++) {
      for (let c = 0; c < nb; c++) y[j * REFLECTOR_BLOCK + c] = yt[c * n + start + j]!;
    }
    multiplyTransposed(
      rows,
      width,
      nb,
      { data: scaled, stride: REFLECTOR_BLOCK },
      { data: y, stride: REFLECTOR_BLOCK },
      { data: vectors, offset: start, stride: n },
      { accumulate: true, alpha: -1 },
    );
  }
}
