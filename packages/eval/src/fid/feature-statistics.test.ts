import { SeededRandom } from '@ratlip/runtime';
import { describe, expect, it } from 'vitest';
import { FeatureStatisticsAccumulator } from './feature-statistics';

/** Two-pass mean and np.cov of all rows at once. */
function oneShot(rows: Float64Array[], dim: number) {
  const n = rows.length;
  const mean = new Float64Array(dim);
  for (const row of rows) for (let i = 0; i < dim; i++) mean[i] = mean[i]! + row[i]! / n;
  const covariance = new Float64Array(dim * dim);
  for (const row of rows) {
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        covariance[i * dim + j] =
          covariance[i * dim + j]! + ((row[i]! - mean[i]!) * (row[j]! - mean[j]!)) / (n - 1);
      }
    }
  }
  return { mean, covariance };
}

describe('FeatureStatisticsAccumulator', () => {
  it('streaming mean and covariance equal the one-shot values (uneven batches, offset data)', () => {
    const random = new SeededRandom(9);
    const dim = 23;
    const count = 517;
    // A large common offset is where naive sum-of-squares loses digits; the shift keeps them.
    const rows = Array.from({ length: count }, () =>
      Float64Array.from({ length: dim }, (_, i) => Math.fround(1000 + i + random.normal() * (1 + (i % 5)))),
    );
    const reference = oneShot(rows, dim);
    for (const chunkRows of [1, 7, 256]) {
      const accumulator = new FeatureStatisticsAccumulator(dim, { chunkRows });
      let start = 0;
      while (start < count) {
        const size = Math.min(count - start, 1 + random.int(40));
        // Values are float32-representable, so float32 batches (what a network returns) lose nothing.
        const batch = new Float32Array(size * dim);
        for (let r = 0; r < size; r++) batch.set(rows[start + r]!, r * dim);
        accumulator.add(batch);
        start += size;
      }
      expect(accumulator.count).toBe(count);
      const stats = accumulator.finish();
      expect(stats.count).toBe(count);
      for (let i = 0; i < dim; i++) {
        expect(Math.abs(stats.mean[i]! - reference.mean[i]!)).toBeLessThan(
          1e-12 * Math.abs(reference.mean[i]!),
        );
      }
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < dim * dim; i++) {
        worst = Math.max(worst, Math.abs(stats.covariance[i]! - reference.covariance[i]!));
        scale = Math.max(scale, Math.abs(reference.covariance[i]!));
      }
      expect(worst / scale).toBeLessThan(1e-11);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < i; j++) expect(stats.covariance[i * dim + j]).toBe(stats.covariance[j * dim + i]);
      }
    }
  });

  it('rejects ragged input, non-finite values and fewer than 2 samples', () => {
    const accumulator = new FeatureStatisticsAccumulator(3);
    expect(() => accumulator.add(new Float32Array(4))).toThrow(/not a whole number of rows of dim 3/);
    expect(() => accumulator.add(Float32Array.of(1, Number.NaN, 2))).toThrow(/feature 1 is NaN/);
    const single = new FeatureStatisticsAccumulator(2);
    single.add(Float32Array.of(1, 2));
    expect(() => single.finish()).toThrow(/at least 2 samples, got 1/);
  });
});
