import { test } from 'vitest';
import {
  type ConvTrainStepResult,
  convTrainStepModel,
  formatTable,
  measureConvTrainStep,
  saveResults,
} from './conv-train-step';

/** Steps per backend; cpu is ~100x slower than wasm, so it gets few. Override with RATLIP_BENCH_STEPS_<BACKEND>. */
const plannedSteps = {
  tensorflow: 10,
  wasm: 10,
  cpu: 2,
} as const;

function stepsFor(backend: keyof typeof plannedSteps): number {
  const fromEnvironment = Number(process.env[`RATLIP_BENCH_STEPS_${backend.toUpperCase()}`]);
  return Number.isInteger(fromEnvironment) && fromEnvironment > 0 ? fromEnvironment : plannedSteps[backend];
}

test('conv net train step: ms/step per backend', async () => {
  const results: ConvTrainStepResult[] = [];
  const skipped: Record<string, string> = {};
  for (const backend of Object.keys(plannedSteps) as Array<keyof typeof plannedSteps>) {
    try {
      results.push(await measureConvTrainStep(backend, stepsFor(backend)));
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
