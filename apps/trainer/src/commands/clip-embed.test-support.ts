import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, type SafetensorsFile } from '@ratlip/runtime';
import { expect } from 'vitest';
import { runCaptured } from '../run-cli.test-support';

/** A safetensors file a command wrote, read back. */
export function readSafetensorsOutput(path: string): SafetensorsFile {
  return readSafetensors(new Uint8Array(readFileSync(path)), { source: path });
}

/** Largest |actual - expected| relative to max |expected| (to 1 when `expected` is all zero). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  return actual.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0) / scale;
}

/**
 * Trains a compact Shapes CLIP with `ratlip clip pretrain --preset shapes-micro` (2 steps of 4 pairs on
 * wasm) into `<folder>/micro-clip` and returns the path of its `clip.safetensors`.
 */
export async function pretrainMicroClip(folder: string): Promise<string> {
  const run = join(folder, 'micro-clip');
  const trained = await runCaptured([
    'clip',
    'pretrain',
    '--preset',
    'shapes-micro',
    '--steps',
    '2',
    '--batch-size',
    '4',
    '--eval-images',
    '2',
    '--backend',
    'wasm',
    '--out',
    run,
  ]);
  expect(trained.code).toBe(0);
  return join(run, 'clip.safetensors');
}
