import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** Feature rows kept in memory (KID needs the samples, not only their moments). */
export interface FeatureMatrix {
  rows: number;
  dim: number;
  /** Row-major `[rows, dim]`. */
  data: Float32Array;
}

/** Options of {@link kernelInceptionDistance}; defaults are torch-fidelity's and clean-fid's. */
export interface KernelInceptionDistanceOptions {
  /** Number of random subset pairs. Default 100. */
  subsets?: number;
  /** Samples per subset; reduced to the smaller sample count when either set is smaller. Default 1000. */
  subsetSize?: number;
  /** Polynomial kernel degree. Default 3. */
  degree?: number;
  /** Kernel scale; default 1 / dim. */
  gamma?: number;
  /** Kernel offset. Default 1. */
  coef0?: number;
  /** Seed of the subset draws. Default 0. */
  seed?: number;
}

/** KID estimate and the settings that make it comparable. */
export interface KernelInceptionDistance {
  /** Mean of the unbiased MMD^2 estimates over subsets. */
  mean: number;
  /** Population standard deviation (numpy's default, ddof 0) of the subset estimates. */
  std: number;
  /** Each subset's unbiased MMD^2. */
  values: Float64Array;
  subsets: number;
  subsetSize: number;
  degree: number;
  gamma: number;
  coef0: number;
  seed: number;
}

function checkMatrix(matrix: FeatureMatrix, what: string): void {
  if (matrix.data.length !== matrix.rows * matrix.dim) {
    throw new Error(
      `${what}: data has ${matrix.data.length} values, expected rows*dim = ${matrix.rows * matrix.dim}`,
    );
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`kernelInceptionDistance: ${what} must be a positive integer, got ${value}`);
  return value;
}

/** `count` distinct indices below `n`, by a partial Fisher-Yates shuffle. */
function sampleIndices(random: SeededRandom, n: number, count: number): Int32Array {
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + random.int(n - i);
    const swap = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = swap;
  }
  return pool.subarray(0, count);
}

function gatherRows(matrix: FeatureMatrix, indices: Int32Array): Float32Array {
  const { dim, data } = matrix;
  const out = new Float32Array(indices.length * dim);
  for (let r = 0; r < indices.length; r++)
    out.set(data.subarray(indices[r]! * dim, indices[r]! * dim + dim), r * dim);
  return out;
}

/**
 * Kernel Inception Distance: unbiased MMD^2 with the polynomial kernel
 * k(x, y) = (gamma x.y + coef0)^degree, averaged over random subset pairs. The Gram matrices are
 * float32 matrix products on the current tfjs backend (as torch-fidelity's float32 numpy); the
 * kernel and the sums are float64.
 */
export async function kernelInceptionDistance(
  real: FeatureMatrix,
  generated: FeatureMatrix,
  options: KernelInceptionDistanceOptions = {},
): Promise<KernelInceptionDistance> {
  checkMatrix(real, 'kernelInceptionDistance real features');
  checkMatrix(generated, 'kernelInceptionDistance generated features');
  if (real.dim !== generated.dim) {
    throw new Error(`kernelInceptionDistance: feature widths differ (${real.dim} vs ${generated.dim})`);
  }
  const subsets = positiveInteger(options.subsets ?? 100, 'subsets');
  const requestedSize = positiveInteger(options.subsetSize ?? 1000, 'subsetSize');
  const subsetSize = Math.min(requestedSize, real.rows, generated.rows);
  if (subsetSize < 2) {
    throw new Error(
      `kernelInceptionDistance: need at least 2 samples in each set, got ${real.rows} real and ${generated.rows} generated`,
    );
  }
  const degree = options.degree ?? 3;
  const gamma = options.gamma ?? 1 / real.dim;
  const coef0 = options.coef0 ?? 1;
  const seed = options.seed ?? 0;
  const random = new SeededRandom(seed);
  const values = new Float64Array(subsets);
  const m = subsetSize;
  const kernel = (dot: number) => (gamma * dot + coef0) ** degree;
  for (let s = 0; s < subsets; s++) {
    const x = gatherRows(real, sampleIndices(random, real.rows, m));
    const y = gatherRows(generated, sampleIndices(random, generated.rows, m));
    const [gramXX, gramYY, gramXY] = tf.tidy(() => {
      const xt = tf.tensor2d(x, [m, real.dim]);
      const yt = tf.tensor2d(y, [m, real.dim]);
      return [tf.matMul(xt, xt, false, true), tf.matMul(yt, yt, false, true), tf.matMul(xt, yt, false, true)];
    });
    const [xx, yy, xy] = await Promise.all([gramXX.data(), gramYY.data(), gramXY.data()]);
    gramXX.dispose();
    gramYY.dispose();
    gramXY.dispose();
    let sumXX = 0;
    let sumYY = 0;
    let sumXY = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const index = i * m + j;
        sumXY += kernel(xy[index]!);
        if (i !== j) {
          sumXX += kernel(xx[index]!);
          sumYY += kernel(yy[index]!);
        }
      }
    }
    values[s] = (sumXX + sumYY) / (m * (m - 1)) - (2 * sumXY) / (m * m);
  }
  let mean = 0;
  for (const value of values) mean += value;
  mean /= subsets;
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2;
  variance /= subsets;
  return { mean, std: Math.sqrt(variance), values, subsets, subsetSize, degree, gamma, coef0, seed };
}
