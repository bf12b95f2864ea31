import { test } from 'vitest';
import {
  type ConvTrainStepResult,
  convTrainStepModel,
  formatTable,
  measureConvTrainStep,
  saveResults,
} from './conv-train-step';

/**
 * Timed and warm-up steps per backend. One cpu step takes minutes (about 300x wasm), so cpu gets a
 * single timed step. Override the timed steps with RATLIP_BENCH_STEPS_<BACKEND>, e.g.
 * RATLIP_BENCH_STEPS_WASM=20, and pick backends with RATLIP_BENCH_BACKENDS=wasm,cpu.
 */
const plannedSteps = {
  tensorflow: { steps: 10, warmup: 1 },
  wasm: { steps: 10, warmup: 1 },
  cpu: { steps: 1, warmup: 0 },
} as const;

function stepsFor(backend: keyof typeof plannedSteps): number {
  const fromEnvironment = Number(process.env[`RATLIP_BENCH_STEPS_${backend.toUpperCase()}`]);
  return Number.isInteger(fromEnvironment) && fromEnvironment > 0
    ? fromEnvironment
    : plannedSteps[backend].steps;
}

/** The backends to measure: RATLIP_BENCH_BACKENDS (comma-separated) or all planned ones. */
function selectedBackends(): Array<keyof typeof plannedSteps> {
  const planned = Object.keys(plannedSteps) as Array<keyof typeof plannedSteps>;
  const requested = process.env['RATLIP_BENCH_BACKENDS']?.split(',').map((name) => name.trim());
  if (requested === undefined) return planned;
  const unknown = requested.filter((name) => !(planned as string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`RATLIP_BENCH_BACKENDS: unknown ${unknown.join(', ')}; expected ${planned.join(', ')}`);
  return planned.filter((name) => requested.includes(name));
}

test('conv net train step: ms/step per backend', async () => {
  const results: ConvTrainStepResult[] = [];
  const skipped: Record<string, string> = {};
  for (const backend of selectedBackends()) {
    try {
      const result = await measureConvTrainStep(backend, stepsFor(backend), plannedSteps[backend].warmup);
      console.log(`${backend}: ${result.msPerStepMedian.toFixed(1)} ms/step over ${result.steps} steps`);
      results.push(result);
    } catch (error) {
      // Only the optional native backend may be missing; wasm and cpu are dependencies.
      if (backend !== 'tensorflow') throw error;
      skipped[backend] = error instanceof Error ? error.message : String(error);
    }
  }
  const { batch, height, width, channels, convolutions } = convTrainStepModel;
  const path = saveResults(results, skipped);
  console.log(
    [
      '',
      `conv net train step: batch ${batch}, ${height}x${width}x${channels}, ${convolutions.length} convs + Adam`,
      formatTable(results),
      ...Object.entries(skipped).map(([backend, reason]) => `skipped ${backend}: ${reason}`),
      `saved ${path}`,
      '',
    ].join('\n'),
  );
});
