import { mirrorLowerToUpper, multiplyTransposed } from '../linalg/matrix-multiply';
import type { GaussianStatistics } from './gaussian-statistics';

/** Options of {@link FeatureStatisticsAccumulator}. */
export interface FeatureStatisticsOptions {
  /** Rows buffered before they are folded into the sums (one matrix product per chunk). Default 256. */
  chunkRows?: number;
}

/**
 * Streaming mean and covariance (np.cov, normalised by N - 1) of feature rows, in float64, without
 * keeping the rows: sums of (x - c) and (x - c)(x - c)^T with c the mean of the first chunk, which
 * keeps the final subtraction well conditioned. Memory: d^2 + chunkRows * d float64 values.
 */
export class FeatureStatisticsAccumulator {
  private readonly chunkRows: number;
  private readonly buffer: Float64Array;
  private buffered = 0;
  private total = 0;
  private shift: Float64Array | null = null;
  private readonly sum: Float64Array;
  private readonly products: Float64Array;

  /** @param dim feature width d. */
  constructor(
    readonly dim: number,
    options: FeatureStatisticsOptions = {},
  ) {
    if (!Number.isInteger(dim) || dim < 1) {
      throw new Error(`FeatureStatisticsAccumulator: dim must be a positive integer, got ${dim}`);
    }
    this.chunkRows = options.chunkRows ?? 256;
    if (!Number.isInteger(this.chunkRows) || this.chunkRows < 1) {
      throw new Error(
        `FeatureStatisticsAccumulator: chunkRows must be a positive integer, got ${this.chunkRows}`,
      );
    }
    this.buffer = new Float64Array(dim * this.chunkRows);
    this.sum = new Float64Array(dim);
    this.products = new Float64Array(dim * dim);
  }

  /** Samples added so far. */
  get count(): number {
    return this.total + this.buffered;
  }

  /** Adds feature rows: `features` is row-major `[rows, dim]`. */
  add(features: ArrayLike<number>): void {
    if (features.length % this.dim !== 0) {
      throw new Error(
        `FeatureStatisticsAccumulator.add: ${features.length} values is not a whole number of rows of dim ${this.dim}`,
      );
    }
    const rows = features.length / this.dim;
    const { dim, chunkRows, buffer } = this;
    for (let r = 0; r < rows; r++) {
      const base = r * dim;
      for (let i = 0; i < dim; i++) {
        const value = features[base + i]!;
        if (!Number.isFinite(value)) {
          throw new Error(
            `FeatureStatisticsAccumulator.add: row ${r} feature ${i} is ${value}; expected finite values`,
          );
        }
        buffer[i * chunkRows + this.buffered] = value;
      }
      this.buffered++;
      if (this.buffered === chunkRows) this.flush();
    }
  }

  /** Mean and covariance of everything added so far (at least 2 samples). Adding may continue afterwards. */
  finish(): GaussianStatistics {
    this.flush();
    const n = this.total;
    if (n < 2) throw new Error(`FeatureStatisticsAccumulator.finish: need at least 2 samples, got ${n}`);
    const { dim, sum } = this;
    const shift = this.shift ?? new Float64Array(dim);
    const mean = new Float64Array(dim);
    for (let i = 0; i < dim; i++) mean[i] = shift[i]! + sum[i]! / n;
    const covariance = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      const si = sum[i]! / n;
      for (let j = 0; j <= i; j++) {
        covariance[i * dim + j] = (this.products[i * dim + j]! - si * sum[j]!) / (n - 1);
      }
    }
    mirrorLowerToUpper(covariance, dim);
    return { dim, mean, covariance, count: n };
  }

  private flush(): void {
    const rows = this.buffered;
    if (rows === 0) return;
    const { dim, chunkRows, buffer } = this;
    if (!this.shift) {
      const shift = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let total = 0;
        for (let r = 0; r < rows; r++) total += buffer[i * chunkRows + r]!;
        shift[i] = total / rows;
      }
      this.shift = shift;
    }
    const shift = this.shift;
    for (let i = 0; i < dim; i++) {
      const base = i * chunkRows;
      const c = shift[i]!;
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const centred = buffer[base + r]! - c;
        buffer[base + r] = centred;
        total += centred;
      }
      this.sum[i] = this.sum[i]! + total;
    }
    multiplyTransposed(
      dim,
      dim,
      rows,
      { data: buffer, stride: chunkRows },
      { data: buffer, stride: chunkRows },
      { data: this.products, stride: dim },
      { accumulate: true, triangle: 'lower' },
    );
    this.total += rows;
    this.buffered = 0;
  }
}
