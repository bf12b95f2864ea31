import { multiplyTransposed } from './matrix-multiply';

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
 * triangle and overwritten. One pass over the trailing matrix per step: the previous step's
 * rank-2 update and the current step's symmetric product are fused, so each element is loaded once.
 */
export function tridiagonalize(a: Float64Array, n: number): TridiagonalForm {
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(n - 1, 0));
  const tau = new Float64Array(n);
  let vPrev = new Float64Array(n);
  let wPrev = new Float64Array(n);
  let v = new Float64Array(n);
  let w = new Float64Array(n);
  let hasPrev = false;
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    if (hasPrev) {
      const vk = vPrev[k]!;
      const wk = wPrev[k]!;
      for (let j = k; j < n; j++) a[rowK + j] = a[rowK + j]! - (vk * wPrev[j]! + wk * vPrev[j]!);
    }
    diagonal[k] = a[rowK + k]!;
    if (k === n - 1) break;
    const alpha = a[rowK + k + 1]!;
    let tailSquares = 0;
    for (let j = k + 2; j < n; j++) tailSquares += a[rowK + j]! * a[rowK + j]!;
    let tauK = 0;
    if (tailSquares === 0) {
      offDiagonal[k] = alpha;
    } else {
      const beta = (alpha >= 0 ? -1 : 1) * Math.hypot(alpha, Math.sqrt(tailSquares));
      tauK = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      v[k + 1] = 1;
      a[rowK + k + 1] = 1;
      for (let j = k + 2; j < n; j++) {
        const value = a[rowK + j]! * scale;
        v[j] = value;
        a[rowK + j] = value;
      }
      offDiagonal[k] = beta;
    }
    tau[k] = tauK;
    const reflect = tauK !== 0;
    if (reflect) w.fill(0, k + 1, n);
    // Fused pass over the trailing rows: finish the previous rank-2 update, then p = A22 v into w.
    for (let i = k + 1; i < n; i++) {
      const rowI = i * n;
      const vi = reflect ? v[i]! : 0;
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
            rowSum += value * v[j]!;
            w[j] = w[j]! + value * vi;
          }
        } else {
          for (let j = i; j < n; j++) a[rowI + j] = a[rowI + j]! - (vpi * wPrev[j]! + wpi * vPrev[j]!);
        }
      } else if (reflect) {
        rowSum = a[rowI + i]! * vi;
        for (let j = i + 1; j < n; j++) {
          const value = a[rowI + j]!;
          rowSum += value * v[j]!;
          w[j] = w[j]! + value * vi;
        }
      }
      if (reflect) w[i] = w[i]! + rowSum;
    }
    if (reflect) {
      let pv = 0;
      for (let i = k + 1; i < n; i++) {
        w[i] = w[i]! * tauK;
        pv += w[i]! * v[i]!;
      }
      const correction = 0.5 * tauK * pv;
      for (let i = k + 1; i < n; i++) w[i] = w[i]! - correction * v[i]!;
      const vSwap = vPrev;
      vPrev = v;
      v = vSwap;
      const wSwap = wPrev;
      wPrev = w;
      w = wSwap;
    }
    hasPrev = reflect;
  }
  return { n, diagonal, offDiagonal, reflectors: a, tau };
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
