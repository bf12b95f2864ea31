import { expect } from 'vitest';
import { runCaptured } from '../run-cli.test-support';

/**
 * Trains a run of one step (the default preset, 2 images per step, wasm) into `out` with `ratlip train`,
 * for tests of the commands that read a run folder.
 *
 * @param evalSamples images per Shapes-alignment evaluation at the end; 0 for none.
 */
export async function trainOneStepRun(out: string, evalSamples: number): Promise<void> {
  const trained = await runCaptured([
    'train',
    '--steps',
    '1',
    '--batch-size',
    '2',
    '--backend',
    'wasm',
    '--eval-samples',
    String(evalSamples),
    '--out',
    out,
  ]);
  expect(trained.code, trained.stderr).toBe(0);
}
