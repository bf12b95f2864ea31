import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { frechetDistance } from './fid/frechet-distance';
import { readStatisticsNpz } from './fid/statistics-file';
import { symmetricEigen } from './linalg/symmetric-eigen';
test('cross', () => {
  const a = { ...readStatisticsNpz(new Uint8Array(readFileSync('/tmp/evalbench/s1.npz'))), count: 3000 };
  const b = { ...readStatisticsNpz(new Uint8Array(readFileSync('/tmp/evalbench/s2.npz'))), count: 1000 };
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  let w = performance.now(); let c = cpu();
  symmetricEigen(a.covariance, 2048, { vectors: false });
  console.log('eigenvalues only', 'wall', ((performance.now() - w) / 1000).toFixed(1), 'cpu', (cpu() - c).toFixed(1));
  for (const [x, y, label] of [[a, { ...b, count: undefined }, 'full-rank factored'], [a, b, 'rank-deficient factored (count 1000)']] as const) {
    w = performance.now(); c = cpu();
    const fid = frechetDistance(x, y);
    console.log(label, 'FID', fid.value, 'wall', ((performance.now() - w) / 1000).toFixed(1), 'cpu', (cpu() - c).toFixed(1));
  }
}, 600_000);
