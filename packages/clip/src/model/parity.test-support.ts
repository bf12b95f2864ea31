import type { SafetensorsFile } from '@ratlip/runtime';
import type * as tf from '@tensorflow/tfjs';

/** A fixture tensor as float32 (or int32 for integer dtypes), optionally transposed (e.g. NCHW -> NHWC). */
export function fixtureTensor(file: SafetensorsFile, name: string, permutation?: number[]): tf.Tensor {
  const stored = file.tensor(name);
  if (!permutation) return stored;
  const out = stored.transpose(permutation);
  stored.dispose();
  return out;
}

/** Largest |actual - expected| and largest |expected|; shapes must match. */
export function compareTensors(actual: tf.Tensor, expected: tf.Tensor): { maxAbs: number; maxRef: number } {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(
      `shape mismatch: got [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`,
    );
  }
  const a = actual.dataSync();
  const e = expected.dataSync();
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < e.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - e[i]!));
    maxRef = Math.max(maxRef, Math.abs(e[i]!));
  }
  return { maxAbs, maxRef };
}

/** Logs and asserts the big-model tolerance of the fixtures: |d| <= 1e-4 * max|ref| (at least 1e-4). */
export function expectBigModelClose(
  label: string,
  actual: tf.Tensor,
  expected: tf.Tensor,
  expectFn: (maxAbs: number, bound: number, label: string) => void,
): void {
  const { maxAbs, maxRef } = compareTensors(actual, expected);
  console.info(`${label}: max|d| ${maxAbs.toExponential(2)}, max|ref| ${maxRef.toExponential(2)}`);
  expectFn(maxAbs, 1e-4 * Math.max(1, maxRef), label);
}
