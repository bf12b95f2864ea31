import * as tf from '@tensorflow/tfjs';
import type { SeededRandom } from './seeded-random';

/**
 * Random tensors drawn from a {@link SeededRandom} in JavaScript and then uploaded, so the values
 * are the same on every tfjs backend (cpu, wasm, webgl, webgpu, node), unlike `tf.randomNormal`
 * whose seeding differs per backend. The caller owns (disposes) the returned tensor.
 */

function elementCount(shape: readonly number[], what: string): number {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${what}: shape must be non-negative integers, got [${shape.join(', ')}]`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

/** Options of {@link randomNormalTensor}. */
export interface RandomNormalOptions {
  /** Mean of the distribution. Default 0. */
  mean?: number;
  /** Standard deviation. Default 1. */
  stddev?: number;
}

/**
 * A float32 tensor of `shape` (e.g. noise `[batch, noiseDim]`) filled with N(mean, stddev^2)
 * values from `rng.normalArray`, in row-major order. Advances `rng`.
 */
export function randomNormalTensor(
  rng: SeededRandom,
  shape: readonly number[],
  options: RandomNormalOptions = {},
): tf.Tensor {
  const values = rng.normalArray(elementCount(shape, 'randomNormalTensor'));
  const mean = options.mean ?? 0;
  const stddev = options.stddev ?? 1;
  if (mean !== 0 || stddev !== 1) {
    for (let i = 0; i < values.length; i++) values[i] = mean + stddev * values[i]!;
  }
  return tf.tensor(values, [...shape], 'float32');
}

/** Options of {@link randomUniformTensor}. */
export interface RandomUniformOptions {
  /** Lower bound (inclusive). Default 0. */
  min?: number;
  /** Upper bound (exclusive). Default 1. */
  max?: number;
}

/** A float32 tensor of `shape` filled with uniform values in [min, max). Advances `rng`. */
export function randomUniformTensor(
  rng: SeededRandom,
  shape: readonly number[],
  options: RandomUniformOptions = {},
): tf.Tensor {
  const count = elementCount(shape, 'randomUniformTensor');
  return tf.tensor(rng.uniformArray(count, options.min ?? 0, options.max ?? 1), [...shape], 'float32');
}
