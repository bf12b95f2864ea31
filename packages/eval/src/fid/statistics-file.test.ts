import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeatureStatisticsAccumulator } from './feature-statistics';
import { readFeaturesNpz, readStatisticsNpz, writeFeaturesNpz, writeStatisticsNpz } from './statistics-file';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));

describe('statistics files', () => {
  it('reads numpy np.savez mu/sigma (the *_FIDK0.npz layout) exactly', () => {
    const stats = readStatisticsNpz(fixture('stats_savez.npz'), { source: 'stats_savez.npz' });
    const d = 7;
    expect(stats.dim).toBe(d);
    expect(stats.count).toBeUndefined();
    for (let i = 0; i < d; i++) {
      expect(stats.mean[i]).toBe((i - 2.5) / 4);
      for (let j = 0; j < d; j++)
        expect(stats.covariance[i * d + j]).toBe(1 / (2 + i + j) + (i === j ? 1 : 0));
    }
  });

  it('round-trips statistics and features, stored and deflated', () => {
    const accumulator = new FeatureStatisticsAccumulator(3);
    accumulator.add(Float32Array.of(1, 2, 3, 4, 0, 1, 2, 2, 9, -1, 5, 0.5));
    const stats = accumulator.finish();
    for (const compress of [false, true]) {
      const back = readStatisticsNpz(writeStatisticsNpz(stats, { compress }));
      expect(back.mean).toEqual(stats.mean);
      expect(back.covariance).toEqual(stats.covariance);
      const features = { rows: 2, dim: 3, data: Float32Array.of(1, 2, 3, 4, 5, 6.5) };
      expect(readFeaturesNpz(writeFeaturesNpz(features, { compress }))).toEqual(features);
    }
  });

  it('names the file and the problem for wrong content', () => {
    const features = writeFeaturesNpz({ rows: 1, dim: 2, data: Float32Array.of(1, 2) });
    expect(() => readStatisticsNpz(features, { source: 'real.npz' })).toThrow(/real\.npz.*mu/);
    expect(() =>
      writeStatisticsNpz({ dim: 2, mean: new Float64Array(2), covariance: new Float64Array(3) }),
    ).toThrow(/covariance has 3 values/);
  });
});
