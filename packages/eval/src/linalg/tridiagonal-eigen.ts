import { multiplyTransposed } from './matrix-multiply';

/** Eigenvalues (ascending) and eigenvectors of a symmetric tridiagonal matrix. */
export interface TridiagonalEigen {
  values: Float64Array;
  /** Row-major `n x n`; column j is the unit eigenvector of `values[j]`. */
  vectors: Float64Array;
}

const EPSILON = 2 ** -52;
const LEAF_SIZE = 32;
const MAX_QL_ITERATIONS = 64;

/**
 * Implicit QL with Wilkinson shifts on the tridiagonal matrix (d, e): `d` becomes the eigenvalues
 * (unsorted), `e` (length n, `e[i]` couples i and i+1, last entry workspace) is destroyed. When
 * `z` is given (row-major `n x n`), its columns are rotated along, accumulating eigenvectors.
 */
function implicitQl(d: Float64Array, e: Float64Array, z: Float64Array | null, n: number): void {
  // Couplings below eps * |T| are dropped: backward stable, and it also ends the iteration on
  // blocks whose entries are all rounding noise (the null space of a singular covariance).
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]!) + Math.abs(e[i] ?? 0));
  const negligible = EPSILON * norm;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const scale = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= EPSILON * scale || Math.abs(e[m]!) <= negligible) break;
      }
      if (m === l) break;
      if (++iterations > MAX_QL_ITERATIONS) {
        throw new Error(`tridiagonal eigensolver: QL did not converge for eigenvalue ${l} of ${n}`);
      }
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (z) {
          for (let k = 0; k < n; k++) {
            const row = k * n;
            const zNext = z[row + i + 1]!;
            const zHere = z[row + i]!;
            z[row + i + 1] = s * zHere + c * zNext;
            z[row + i] = c * zHere - s * zNext;
          }
        }
      }
      if (underflow) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** Eigenvalues, ascending, of the symmetric tridiagonal matrix with diagonal `d` and sub-diagonal `e`. */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  const values = Float64Array.from(d);
  const work = new Float64Array(n);
  work.set(e.subarray(0, Math.max(n - 1, 0)));
  implicitQl(values, work, null, n);
  return values.sort();
}

/**
 * Eigenvalues (ascending) and eigenvectors of the symmetric tridiagonal matrix with diagonal `d`
 * and sub-diagonal `e`, by Cuppen's divide and conquer with Gu-Eisenstat eigenvectors, so merges are
 * matrix products and deflation (frequent for covariance spectra) removes work.
 */
export function tridiagonalEigen(d: Float64Array, e: Float64Array): TridiagonalEigen {
  const n = d.length;
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(d[i]!));
  for (let i = 0; i < n - 1; i++) scale = Math.max(scale, Math.abs(e[i]!));
  if (scale === 0) scale = 1;
  const ds = new Float64Array(n);
  const es = new Float64Array(Math.max(n - 1, 0));
  for (let i = 0; i < n; i++) ds[i] = d[i]! / scale;
  for (let i = 0; i < n - 1; i++) es[i] = e[i]! / scale;
  const result = divideAndConquer(ds, es);
  for (let i = 0; i < n; i++) result.values[i] = result.values[i]! * scale;
  return result;
}

function sortedEigen(values: Float64Array, vectors: Float64Array, n: number): TridiagonalEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const sortedValues = new Float64Array(n);
  const sortedVectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const source = order[j]!;
    sortedValues[j] = values[source]!;
    for (let r = 0; r < n; r++) sortedVectors[r * n + j] = vectors[r * n + source]!;
  }
  return { values: sortedValues, vectors: sortedVectors };
}

function divideAndConquer(d: Float64Array, e: Float64Array): TridiagonalEigen {
  const n = d.length;
  if (n <= LEAF_SIZE) {
    const values = Float64Array.from(d);
    const work = new Float64Array(n);
    work.set(e);
    const vectors = new Float64Array(n * n);
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
    implicitQl(values, work, vectors, n);
    return sortedEigen(values, vectors, n);
  }
  const m = n >> 1;
  const beta = e[m - 1]!;
  // T = diag(T1 - |beta| e_last e_last^T, T2 - |beta| e_1 e_1^T) + |beta| u u^T, u = e_last + sign(beta) e_1.
  const d1 = d.slice(0, m);
  const d2 = d.slice(m);
  d1[m - 1] = d1[m - 1]! - Math.abs(beta);
  d2[0] = d2[0]! - Math.abs(beta);
  const left = divideAndConquer(d1, e.slice(0, m - 1));
  const right = divideAndConquer(d2, e.slice(m));
  return mergeRankOne(left, right, m, n - m, beta);
}

const TOP = 1;
const BOTTOM = 2;
const MIXED = 3;

function mergeRankOne(
  left: TridiagonalEigen,
  right: TridiagonalEigen,
  m: number,
  m2: number,
  beta: number,
): TridiagonalEigen {
  const n = m + m2;
  const sign = beta >= 0 ? 1 : -1;
  const rho = 2 * Math.abs(beta);
  const values = new Float64Array(n);
  const z = new Float64Array(n);
  const kind = new Uint8Array(n);
  const q = new Float64Array(n * n);
  const sqrtHalf = Math.SQRT1_2;
  for (let c = 0; c < m; c++) {
    values[c] = left.values[c]!;
    z[c] = left.vectors[(m - 1) * m + c]! * sqrtHalf;
    kind[c] = TOP;
    for (let r = 0; r < m; r++) q[r * n + c] = left.vectors[r * m + c]!;
  }
  for (let c = 0; c < m2; c++) {
    values[m + c] = right.values[c]!;
    z[m + c] = sign * right.vectors[c]! * sqrtHalf;
    kind[m + c] = BOTTOM;
    for (let r = 0; r < m2; r++) q[(m + r) * n + m + c] = right.vectors[r * m2 + c]!;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let maxValue = 0;
  for (let i = 0; i < n; i++) maxValue = Math.max(maxValue, Math.abs(values[i]!));
  const tolerance = 8 * EPSILON * Math.max(maxValue, rho);

  // Deflation: negligible z components, and near-equal poles merged by a rotation.
  const kept: number[] = [];
  const deflated: number[] = [];
  let previous = -1;
  for (const c of order) {
    if (rho * Math.abs(z[c]!) <= tolerance) {
      deflated.push(c);
      continue;
    }
    if (previous < 0) {
      previous = c;
      continue;
    }
    const zp = z[previous]!;
    const zc = z[c]!;
    const radius = Math.hypot(zp, zc);
    const cos = zc / radius;
    const sin = zp / radius;
    const dp = values[previous]!;
    const dc = values[c]!;
    if (Math.abs((dc - dp) * cos * sin) <= tolerance) {
      for (let r = 0; r < n; r++) {
        const row = r * n;
        const qp = q[row + previous]!;
        const qc = q[row + c]!;
        q[row + previous] = cos * qp - sin * qc;
        q[row + c] = sin * qp + cos * qc;
      }
      if (kind[previous] !== kind[c]) {
        kind[previous] = MIXED;
        kind[c] = MIXED;
      }
      values[previous] = cos * cos * dp + sin * sin * dc;
      values[c] = sin * sin * dp + cos * cos * dc;
      z[c] = radius;
      z[previous] = 0;
      deflated.push(previous);
    } else {
      kept.push(previous);
    }
    previous = c;
  }
  if (previous >= 0) kept.push(previous);

  const k = kept.length;
  const poles = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    poles[i] = values[kept[i]!]!;
    weights[i] = z[kept[i]!]! * z[kept[i]!]!;
  }
  // u[j][i] = poles[i] - lambda_j, accurate because lambda_j is stored as pole + offset.
  const u = new Float64Array(k * k);
  const roots = new Float64Array(k);
  for (let j = 0; j < k; j++)
    roots[j] = solveSecularRoot(j, poles, weights, rho, u.subarray(j * k, j * k + k));
  // Gu-Eisenstat: the z for which the computed roots are exact, so eigenvectors come out orthogonal.
  for (let i = 0; i < k; i++) {
    let product = -u[(k - 1) * k + i]! / rho;
    for (let j = 0; j < i; j++) product *= u[j * k + i]! / (poles[i]! - poles[j]!);
    for (let j = i; j < k - 1; j++) product *= u[j * k + i]! / (poles[i]! - poles[j + 1]!);
    weights[i] = (z[kept[i]!]! >= 0 ? 1 : -1) * Math.sqrt(Math.max(product, 0));
  }
  for (let j = 0; j < k; j++) {
    const row = j * k;
    let norm = 0;
    for (let i = 0; i < k; i++) {
      const value = weights[i]! / u[row + i]!;
      u[row + i] = value;
      norm += value * value;
    }
    const inverse = 1 / Math.sqrt(norm);
    for (let i = 0; i < k; i++) u[row + i] = u[row + i]! * inverse;
  }

  // New eigenvectors = Q[:, kept] u^T, split into the rows each source column can touch.
  const combined = new Float64Array(n * k);
  multiplyKept(q, n, 0, m, kept, kind, TOP, u, k, combined);
  multiplyKept(q, n, m, n, kept, kind, BOTTOM, u, k, combined);

  const total = k + deflated.length;
  const allValues = new Float64Array(total);
  const vectors = new Float64Array(n * n);
  allValues.set(roots);
  for (let t = 0; t < deflated.length; t++) allValues[k + t] = values[deflated[t]!]!;
  const finalOrder = Array.from({ length: total }, (_, i) => i).sort((a, b) => allValues[a]! - allValues[b]!);
  const sorted = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const source = finalOrder[j]!;
    sorted[j] = allValues[source]!;
    if (source < k) {
      for (let r = 0; r < n; r++) vectors[r * n + j] = combined[r * k + source]!;
    } else {
      const column = deflated[source - k]!;
      for (let r = 0; r < n; r++) vectors[r * n + j] = q[r * n + column]!;
    }
  }
  return { values: sorted, vectors };
}

/** combined[r][j] = sum over kept columns c touching rows [rowStart, rowEnd) of q[r][c] u[j][index of c]. */
function multiplyKept(
  q: Float64Array,
  n: number,
  rowStart: number,
  rowEnd: number,
  kept: number[],
  kind: Uint8Array,
  side: number,
  u: Float64Array,
  k: number,
  combined: Float64Array,
): void {
  const picks: number[] = [];
  for (let i = 0; i < k; i++) if ((kind[kept[i]!]! & side) !== 0) picks.push(i);
  const rows = rowEnd - rowStart;
  const width = picks.length;
  if (rows === 0 || k === 0) return;
  const packedQ = new Float64Array(rows * width);
  const packedU = new Float64Array(k * width);
  for (let r = 0; r < rows; r++) {
    const source = (rowStart + r) * n;
    for (let t = 0; t < width; t++) packedQ[r * width + t] = q[source + kept[picks[t]!]!]!;
  }
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < width; t++) packedU[j * width + t] = u[j * k + picks[t]!]!;
  }
  multiplyTransposed(
    rows,
    k,
    width,
    { data: packedQ, stride: width },
    { data: packedU, stride: width },
    { data: combined, offset: rowStart * k, stride: k },
  );
}

/**
 * Root j (ascending) of the secular equation 1/rho + sum_i w_i / (d_i - lambda) = 0 with sorted
 * distinct poles d, positive weights w and rho > 0. The root is kept as (nearest pole) + offset so
 * that `differences[i] = d_i - lambda_j` is accurate even when lambda_j nearly equals a pole. Uses
 * the two-pole rational model (Bunch-Nielsen-Sorensen), safeguarded by bisection of a bracket.
 */
function solveSecularRoot(
  j: number,
  poles: Float64Array,
  weights: Float64Array,
  rho: number,
  differences: Float64Array,
): number {
  const k = poles.length;
  const inverseRho = 1 / rho;
  let origin = j;
  let low: number;
  let high: number;
  if (j < k - 1) {
    const half = (poles[j + 1]! - poles[j]!) / 2;
    let atMiddle = inverseRho;
    for (let i = 0; i < k; i++) atMiddle += weights[i]! / (poles[i]! - poles[j]! - half);
    if (atMiddle >= 0) {
      low = 0;
      high = half;
    } else {
      origin = j + 1;
      low = -half;
      high = 0;
    }
  } else {
    let weightSum = 0;
    for (let i = 0; i < k; i++) weightSum += weights[i]!;
    low = 0;
    high = rho * weightSum;
  }
  const base = poles[origin]!;
  for (let i = 0; i < k; i++) differences[i] = poles[i]! - base;
  const leftPole = differences[j]!;
  const rightPole = j < k - 1 ? differences[j + 1]! : Number.POSITIVE_INFINITY;
  let tau = (low + high) / 2;
  for (let iteration = 0; iteration < 200; iteration++) {
    let psi = 0;
    let psiSlope = 0;
    let phi = 0;
    let phiSlope = 0;
    for (let i = 0; i <= j; i++) {
      const term = weights[i]! / (differences[i]! - tau);
      psi += term;
      psiSlope += term / (differences[i]! - tau);
    }
    for (let i = j + 1; i < k; i++) {
      const term = weights[i]! / (differences[i]! - tau);
      phi += term;
      phiSlope += term / (differences[i]! - tau);
    }
    const value = inverseRho + psi + phi;
    if (value === 0) break;
    if (value < 0) low = tau;
    else high = tau;
    const toLeft = leftPole - tau;
    const leftWeight = psiSlope * toLeft * toLeft;
    let step: number;
    if (j < k - 1) {
      const toRight = rightPole - tau;
      const rightWeight = phiSlope * toRight * toRight;
      const c = value - leftWeight / toLeft - rightWeight / toRight;
      step = modelRoot(c, toLeft, toRight, leftWeight, rightWeight);
    } else {
      const c = value - leftWeight / toLeft;
      step = c > 0 ? toLeft + leftWeight / c : Number.NaN;
    }
    let next = tau + step;
    if (!(next > low && next < high)) next = (low + high) / 2;
    const converged = Math.abs(next - tau) <= 2 * EPSILON * Math.abs(next) || next === tau;
    tau = next;
    if (converged || high - low <= 2 * EPSILON * Math.max(Math.abs(low), Math.abs(high))) break;
  }
  for (let i = 0; i < k; i++) differences[i] = differences[i]! - tau;
  return base + tau;
}

/** The root in (a, b) of c + P/(a - x) + Q/(b - x) = 0 (a < 0 < b, P, Q >= 0), or NaN. */
function modelRoot(c: number, a: number, b: number, p: number, q: number): number {
  const quadratic = c;
  const linear = c * (a + b) + p + q;
  const constant = c * a * b + p * b + q * a;
  if (quadratic === 0) return linear === 0 ? Number.NaN : constant / linear;
  const discriminant = Math.max(linear * linear - 4 * quadratic * constant, 0);
  const root = Math.sqrt(discriminant);
  const stable = linear >= 0 ? linear + root : linear - root;
  const first = stable / (2 * quadratic);
  const second = stable === 0 ? Number.NaN : (2 * constant) / stable;
  if (first > a && first < b) return first;
  if (second > a && second < b) return second;
  return Number.NaN;
}
