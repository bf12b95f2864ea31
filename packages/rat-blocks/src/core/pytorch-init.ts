import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** A float32 tensor of `shape` with values uniform in [-bound, bound), drawn from `rng` in row-major order. */
export function uniformTensor(rng: SeededRandom, shape: number[], bound: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (rng.uniform() * 2 - 1) * bound;
  return tf.tensor(values, shape, 'float32');
}

/**
 * PyTorch's default Conv2d/Linear initialisation: weights kaiming-uniform with a = sqrt(5), i.e.
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)), and biases with the same bound.
 *
 * @param fanIn inputs per output unit: `in` for Linear, `in * kh * kw` for Conv2d.
 */
export function pytorchDefaultBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/** A trainable variable of `shape` initialised U(-bound, bound) from `rng`. */
export function uniformVariable(rng: SeededRandom, shape: number[], bound: number): tf.Variable {
  return tf.tidy(() => tf.variable(uniformTensor(rng, shape, bound), true));
}

/** A variable of `shape` filled with `value`. */
export function constantVariable(shape: number[], value: number, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value, 'float32'), trainable));
}

/** Throws an Error naming `what` unless `value` is a positive integer. */
export function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${what}: expected a positive integer, got ${value}`);
}

/**
 * A block's constant gain (a learning-rate multiplier under Adam): `value`, or 1 when undefined.
 * @throws when it is not a positive finite number, naming `name` and `where`.
 */
export function positiveGain(value: number | undefined, name: string, where: string): number {
  const gain = value ?? 1;
  if (!(gain > 0) || !Number.isFinite(gain)) {
    throw new Error(`${where}: ${name} must be a positive number, got ${value}`);
  }
  return gain;
}
