import { test } from 'vitest';
import { SeededRandom } from '@ratlip/runtime';
import { FeatureStatisticsAccumulator } from './fid/feature-statistics';
import { frechetDistance } from './fid/frechet-distance';
import { tridiagonalize, applyTridiagonalBasis } from './linalg/householder-tridiagonal';
import { tridiagonalEigen } from './linalg/tridiagonal-eigen';
test('fid bench', () => {
  const d = Number(process.env.D ?? 2048);
  const random = new SeededRandom(1);
  const make = (count: number, shift: number) => {
    const acc = new FeatureStatisticsAccumulator(d);
    const row = new Float32Array(d * 64);
    for (let done = 0; done < count; done += 64) {
      for (let i = 0; i < row.length; i++) row[i] = Math.max(0, random.normal() * (1 + ((i % d) % 7)) * 0.3 + shift);
      acc.add(row);
    }
    return acc.finish();
  };
  let t = performance.now();
  const a = make(Number(process.env.N1 ?? 2560), 0.2);
  const b = make(Number(process.env.N2 ?? 2560), 0.25);
  console.log('stats', ((performance.now() - t) / 1000).toFixed(1), 's for', a.count! + b.count!, 'rows');
  t = performance.now();
  const work = Float64Array.from(a.covariance);
  const f = tridiagonalize(work, d); const t1 = performance.now();
  const e = tridiagonalEigen(f.diagonal, f.offDiagonal); const t2 = performance.now();
  const rows = new Float64Array(d * d); for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) rows[j * d + i] = e.vectors[i * d + j]!;
  applyTridiagonalBasis(f, rows, d); const t3 = performance.now();
  console.log('tridiag', ((t1 - t) / 1000).toFixed(1), 'dc', ((t2 - t1) / 1000).toFixed(1), 'back', ((t3 - t2) / 1000).toFixed(1));
  t = performance.now();
  const fid = frechetDistance(a, b);
  console.log('FID', fid.value, 'total', ((performance.now() - t) / 1000).toFixed(1), 's');
});
