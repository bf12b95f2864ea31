import { npyArray, npyToFloat32, npyToFloat64, npzArray, readNpz, writeNpz } from '@ratlip/runtime';
import type { FeatureMatrix } from '../kid/kernel-inception-distance';
import { checkGaussianStatistics, type GaussianStatistics } from './gaussian-statistics';

/** Options of the `.npz` writers. */
export interface StatisticsWriteOptions {
  /** Deflate the arrays (`np.savez_compressed`); default false, like the official files (`np.savez`). */
  compress?: boolean;
}

/** Options of the `.npz` readers. */
export interface StatisticsReadOptions {
  /** File name for error messages. Default `'statistics.npz'`. */
  source?: string;
}

/**
 * FID statistics as an `.npz` in the format of the official `*_FIDK0.npz` files: float64 `mu` [d]
 * and `sigma` [d, d]. `np.load(path)['mu']` reads it back.
 */
export function writeStatisticsNpz(
  statistics: GaussianStatistics,
  options: StatisticsWriteOptions = {},
): Uint8Array {
  checkGaussianStatistics(statistics, 'writeStatisticsNpz');
  const { dim } = statistics;
  return writeNpz(
    { mu: npyArray(statistics.mean, [dim]), sigma: npyArray(statistics.covariance, [dim, dim]) },
    { compress: options.compress ?? false },
  );
}

/**
 * Reads `mu` and `sigma` from an `.npz` (official DF-GAN/GALIP/RATLIP files, pytorch-fid's
 * `--save-stats` output, or {@link writeStatisticsNpz}); any float dtype is widened to float64.
 * The sample count is unknown (the format does not record it).
 */
export function readStatisticsNpz(
  bytes: Uint8Array,
  options: StatisticsReadOptions = {},
): GaussianStatistics {
  const source = options.source ?? 'statistics.npz';
  const arrays = readNpz(bytes, { source });
  const mu = npzArray(arrays, 'mu', source);
  const sigma = npzArray(arrays, 'sigma', source);
  if (mu.shape.length !== 1)
    throw new Error(`${source}: 'mu' has shape [${mu.shape.join(', ')}], expected [d]`);
  const dim = mu.shape[0]!;
  if (sigma.shape.length !== 2 || sigma.shape[0] !== dim || sigma.shape[1] !== dim) {
    throw new Error(
      `${source}: 'sigma' has shape [${sigma.shape.join(', ')}], expected [${dim}, ${dim}] to match 'mu'`,
    );
  }
  return {
    dim,
    mean: Float64Array.from(npyToFloat64(mu)),
    covariance: Float64Array.from(npyToFloat64(sigma)),
  };
}

/** Feature rows (for KID) as an `.npz` with one float32 array `features` [rows, dim]. */
export function writeFeaturesNpz(features: FeatureMatrix, options: StatisticsWriteOptions = {}): Uint8Array {
  if (features.data.length !== features.rows * features.dim) {
    throw new Error(
      `writeFeaturesNpz: data has ${features.data.length} values, expected rows*dim = ${features.rows * features.dim}`,
    );
  }
  return writeNpz(
    { features: npyArray(features.data, [features.rows, features.dim]) },
    { compress: options.compress ?? false },
  );
}

/** Reads the `features` [rows, dim] array written by {@link writeFeaturesNpz} (or numpy), as float32. */
export function readFeaturesNpz(bytes: Uint8Array, options: StatisticsReadOptions = {}): FeatureMatrix {
  const source = options.source ?? 'features.npz';
  const array = npzArray(readNpz(bytes, { source }), 'features', source);
  if (array.shape.length !== 2) {
    throw new Error(`${source}: 'features' has shape [${array.shape.join(', ')}], expected [rows, dim]`);
  }
  return { rows: array.shape[0]!, dim: array.shape[1]!, data: Float32Array.from(npyToFloat32(array)) };
}
