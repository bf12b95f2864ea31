/** Mean and covariance of a feature distribution, in float64 (the `mu` / `sigma` of a `*_FIDK0.npz`). */
export interface GaussianStatistics {
  /** Feature width d. */
  dim: number;
  /** `[d]`. */
  mean: Float64Array;
  /** `[d, d]` row-major, symmetric, normalised by N - 1 (np.cov). */
  covariance: Float64Array;
  /** Number of samples, when known (statistics files do not record it). */
  count?: number;
}

/** Throws naming `what` when the statistics' arrays do not have the shapes `dim` implies. */
export function checkGaussianStatistics(statistics: GaussianStatistics, what: string): void {
  const { dim, mean, covariance } = statistics;
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`${what}: dim must be a positive integer, got ${dim}`);
  if (mean.length !== dim) throw new Error(`${what}: mean has ${mean.length} values, expected dim = ${dim}`);
  if (covariance.length !== dim * dim) {
    throw new Error(`${what}: covariance has ${covariance.length} values, expected dim*dim = ${dim * dim}`);
  }
}
