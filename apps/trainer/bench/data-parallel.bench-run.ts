/**
 * Data-parallel training speed: median milliseconds per `ratlip train` step of the default preset
 * (`ratlip-shapes-32` on Shapes, wasm) with one replica and with one per core, at batch 8 and 16.
 * Each run is the built CLI in a process of its own, as users run it (the bench script builds it
 * first). Prints a table and writes bench/results/trainer-data-parallel.json at the repository root.
 *
 *   pnpm --filter @ratlip/trainer bench
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PACKAGE_ROOT, 'dist', 'cli.js');

/** Steps per run; the first {@link WARM_UP} are left out of the median. */
const STEPS = 30;
const WARM_UP = 5;
const BATCH_SIZES = [8, 16] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

it('measures ratlip train with one replica and with one per core', async () => {
  const cores = availableParallelism();
  const folder = mkdtempSync(join(tmpdir(), 'ratlip-bench-'));
  const rows: Array<{ batchSize: number; workers: number; medianStepMs: number; imagesPerSecond: number }> =
    [];
  try {
    for (const batchSize of BATCH_SIZES) {
      for (const workers of [1, Math.min(cores, batchSize / 2)]) {
        const out = join(folder, `batch-${batchSize}-workers-${workers}`);
        const args = [
          CLI,
          'train',
          '--steps',
          String(STEPS),
          '--out',
          out,
          '--backend',
          'wasm',
          '--batch-size',
          String(batchSize),
          '--workers',
          String(workers),
          '--sample-every',
          String(STEPS * 10),
          '--checkpoint-every',
          String(STEPS * 10),
          '--eval-samples',
          '0',
        ];
        await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
        const stepMs = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as { stepMs: number }).stepMs)
          .slice(WARM_UP);
        const medianStepMs = median(stepMs);
        rows.push({ batchSize, workers, medianStepMs, imagesPerSecond: (batchSize * 1000) / medianStepMs });
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const single = new Map(
    rows.filter((row) => row.workers === 1).map((row) => [row.batchSize, row.medianStepMs]),
  );
  const table = rows.map((row) => ({
    ...row,
    medianStepMs: Math.round(row.medianStepMs),
    imagesPerSecond: Number(row.imagesPerSecond.toFixed(1)),
    speedUp: Number((single.get(row.batchSize)! / row.medianStepMs).toFixed(2)),
  }));
  console.table(table);
  const results = join(PACKAGE_ROOT, '..', '..', 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, 'trainer-data-parallel.json'),
    `${JSON.stringify({ preset: 'shapes', model: 'ratlip-shapes-32', backend: 'wasm', cores, steps: STEPS, warmUp: WARM_UP, rows: table }, null, 2)}\n`,
  );
  expect(rows.every((row) => Number.isFinite(row.medianStepMs) && row.medianStepMs > 0)).toBe(true);
});
