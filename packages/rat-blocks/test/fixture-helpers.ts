import type { SafetensorsFile } from '@ratlip/runtime';
import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { StateDict } from '../src/core/state-dict';

/** A parity fixture: its weights (official keys, PyTorch layout), config and io tensors. */
export interface ParityFixture {
  readonly file: SafetensorsFile;
  /** Constructor arguments from `__metadata__.config`. */
  readonly config: Record<string, number | boolean>;
  /** Every tensor not named `io.*`. */
  readonly weights: StateDict;
  /** An `io.*` tensor; 4-D ones converted from NCHW to NHWC. The caller disposes it. */
  io(name: string): tf.Tensor;
  has(name: string): boolean;
  dispose(): void;
}

export function loadParityFixture(name: string): ParityFixture {
  const file = readFixture(`ratlip/${name}.safetensors`);
  const configText = file.metadata['config'];
  const config = configText ? (JSON.parse(configText) as Record<string, number | boolean>) : {};
  const weights: Record<string, tf.Tensor> = {};
  for (const key of file.names()) if (!key.startsWith('io.')) weights[key] = file.tensor(key);
  return {
    file,
    config,
    weights,
    io(ioName: string) {
      return tf.tidy(() => {
        const tensor = file.tensor(`io.${ioName}`);
        return tensor.rank === 4 ? tf.transpose(tensor, [0, 2, 3, 1]) : tensor;
      });
    },
    has: (ioName: string) => file.has(`io.${ioName}`),
    dispose: () => tf.dispose(Object.values(weights)),
  };
}

/** Worst errors seen, printed by the suites for the report. */
export const worstErrors = new Map<string, number>();

/**
 * Asserts |actual - expected| <= 1e-5 + 1e-5 * |expected| elementwise (the component tolerance of the
 * fixtures README) and returns the largest |difference|. Disposes nothing.
 */
export function expectClose(
  actual: tf.Tensor,
  expected: tf.Tensor,
  label: string,
  atol = 1e-5,
  rtol = 1e-5,
): number {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const b = expected.dataSync();
  let worst = 0;
  let worstExcess = Number.NEGATIVE_INFINITY;
  let worstIndex = -1;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - b[i]!);
    const excess = diff - (atol + rtol * Math.abs(b[i]!));
    if (!(diff <= worst) || Number.isNaN(diff)) worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
    if (excess > worstExcess || Number.isNaN(excess)) {
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      worstIndex = i;
    }
  }
  worstErrors.set(label, worst);
  expect(
    worstExcess,
    `${label}: element ${worstIndex} got ${a[worstIndex]} expected ${b[worstIndex]} (max |d| ${worst})`,
  ).toBeLessThanOrEqual(0);
  return worst;
}

/** Reverses the batch axis. */
export function reverseBatch(x: tf.Tensor): tf.Tensor {
  return tf.reverse(x, 0);
}

/** Sample `index` of a batch, keeping the batch axis. */
export function sampleOf(x: tf.Tensor, index: number): tf.Tensor {
  const begin = x.shape.map((_, axis) => (axis === 0 ? index : 0));
  const size = x.shape.map((dim, axis) => (axis === 0 ? 1 : dim));
  return tf.slice(x, begin, size);
}

/** Prints the worst parity errors of a suite (call from afterAll). */
export function printWorstErrors(suite: string): void {
  const lines = [...worstErrors.entries()].map(([label, error]) => `  ${label}: ${error.toExponential(2)}`);
  console.log(`[${suite}] worst |d|:\n${lines.join('\n')}`);
}

/** Asserts two state dicts have the same keys, shapes and values (bit-exact). */
export function expectSameStateDict(
  mine: Record<string, tf.Tensor>,
  reference: Record<string, tf.Tensor>,
): void {
  expect(Object.keys(mine).sort()).toEqual(Object.keys(reference).sort());
  for (const [key, tensor] of Object.entries(mine)) {
    expect(tensor.shape, key).toEqual(reference[key]!.shape);
    expect(Array.from(tensor.dataSync()), key).toEqual(Array.from(reference[key]!.dataSync()));
  }
}

/**
 * Adds N(0, scale^2) noise to every variable, so identity-initialised parts (zero last layers, zero
 * gates) stop blocking gradients in tests.
 */
export function perturbVariables(variables: tf.Variable[], seed: number, scale = 0.3): void {
  variables.forEach((variable, index) => {
    tf.tidy(() =>
      variable.assign(tf.add(variable, tf.randomNormal(variable.shape, 0, scale, 'float32', seed + index))),
    );
  });
}
