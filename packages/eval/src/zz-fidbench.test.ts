import { test } from 'vitest';
import { SeededRandom } from '@ratlip/runtime';
import { FeatureStatisticsAccumulator } from './fid/feature-statistics';
import { frechetDistance } from './fid/frechet-distance';
import { tridiagonalize, applyTridiagonalBasis } from './linalg/householder-tridiagonal';
import { tridiagonalEigen } from './linalg/tridiagonal-eigen';
import { multiplyTransposed } from './linalg/matrix-multiply';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
function timed<T>(label: string, f: () => T): T { const w = performance.now(), c = cpu(); const r = f(); console.log(label, 'wall', ((performance.now() - w) / 1000).toFixed(2), 'cpu', (cpu() - c).toFixed(2)); return r; }
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
  const a = timed('stats', () => make(Number(process.env.N1 ?? 2560), 0.2));
  const b = make(Number(process.env.N2 ?? 2560), 0.25);
  const work = Float64Array.from(a.covariance);
  const f = timed('tridiag', () => tridiagonalize(work, d));
  const e = timed('dc', () => tridiagonalEigen(f.diagonal, f.offDiagonal));
  const rows = new Float64Array(d * d); for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) rows[j * d + i] = e.vectors[i * d + j]!;
  timed('back', () => applyTridiagonalBasis(f, rows, d));
  const out = new Float64Array(d * d);
  timed('gemm n^3', () => multiplyTransposed(d, d, d, { data: rows, stride: d }, { data: a.covariance, stride: d }, { data: out, stride: d }));
  const fid = timed('FID total', () => frechetDistance(a, b));
  console.log('FID', fid.value);
});
