/**
 * Data-parallel training speed: median milliseconds per `ratlip train` step of the default preset
 * (`ratlip-shapes-32` on Shapes, wasm) with one replica and with one per core, at batch 8 and 16.
 * Prints a table and writes bench/results/trainer-data-parallel.json at the repository root.
 *
 *   pnpm --filter @ratlip/trainer bench
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { replicaWorkerForTests } from '../src/run/data-parallel/replica-worker.test-support';
import { runTraining } from '../src/run/train-run';
import { resolveTrainConfig } from '../src/train/train-config';

/** Steps per run; the first {@link WARM_UP} are left out of the median. */
const STEPS = 30;
const WARM_UP = 5;
const BATCH_SIZES = [8, 16] as const;

const silent = { stdout: { write: () => undefined }, stderr: { write: () => undefined } };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

it('measures ratlip train with one replica and with one per core', async () => {
  const replicaWorkerScript = await replicaWorkerForTests();
  const cores = availableParallelism();
  const folder = mkdtempSync(join(tmpdir(), 'ratlip-bench-'));
  const rows: Array<{ batchSize: number; workers: number; medianStepMs: number; imagesPerSecond: number }> =
    [];
  try {
    for (const batchSize of BATCH_SIZES) {
      for (const workers of [1, Math.min(cores, batchSize / 2)]) {
        const out = join(folder, `batch-${batchSize}-workers-${workers}`);
        const config = resolveTrainConfig({
          steps: STEPS,
          out,
          backend: 'wasm',
          batchSize,
          workers,
          sampleEvery: STEPS * 10,
          checkpointEvery: STEPS * 10,
          evalSamples: 0,
        });
        await runTraining(config, silent, undefined, { replicaWorkerScript });
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
  const results = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, 'trainer-data-parallel.json'),
    `${JSON.stringify({ preset: 'shapes', model: 'ratlip-shapes-32', backend: 'wasm', cores, steps: STEPS, warmUp: WARM_UP, rows: table }, null, 2)}\n`,
  );
  expect(rows.every((row) => Number.isFinite(row.medianStepMs) && row.medianStepMs > 0)).toBe(true);
});
