import { readSafetensors, writeSafetensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's AdamW update on plain numbers (torch.optim.AdamW, amsgrad off). */
function referenceAdamW(
  parameter: number[],
  gradients: number[][],
  rates: number[],
  {
    beta1,
    beta2,
    epsilon,
    weightDecay,
  }: { beta1: number; beta2: number; epsilon: number; weightDecay: number },
): number[] {
  const p = [...parameter];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((gradient, index) => {
    const t = index + 1;
    const lr = rates[index]!;
    for (let i = 0; i < p.length; i++) {
      const g = gradient[i]!;
      p[i]! *= 1 - lr * weightDecay;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      const denominator = Math.sqrt(v[i]!) / Math.sqrt(1 - beta2 ** t) + epsilon;
      p[i]! -= (lr / (1 - beta1 ** t)) * (m[i]! / denominator);
    }
  });
  return p;
}

const HYPER = { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.2 };

function gradientSeries(count: number, size: number, seed: number): number[][] {
  return Array.from({ length: count }, (_, s) =>
    Array.from({ length: size }, (_, i) => Math.sin(seed + 1.3 * s + 0.7 * i) * (1 + (i % 3))),
  );
}

describe('AdamW', () => {
  it('matches the PyTorch update, with decay only on rank >= 2 parameters', () => {
    const start = tf.memory().numTensors;
    const weightValues = [0.5, -0.25, 1.5, 2, -1, 0.125];
    const biasValues = [0.1, -0.3];
    const weight = tf.tidy(() => tf.variable(tf.tensor2d(weightValues, [2, 3])));
    const bias = tf.tidy(() => tf.variable(tf.tensor1d(biasValues)));
    const optimizer = new AdamW(
      new Map<string, tf.Variable>([
        ['w', weight],
        ['b', bias],
      ]),
      HYPER,
    );
    const weightGradients = gradientSeries(5, 6, 0);
    const biasGradients = gradientSeries(5, 2, 3);
    const rates = [1e-2, 2e-2, 3e-2, 2e-2, 1e-2];
    const before = tf.memory().numTensors;
    for (let step = 0; step < rates.length; step++) {
      const gradients = new Map<string, tf.Tensor>([
        ['w', tf.tensor2d(weightGradients[step]!, [2, 3])],
        ['b', tf.tensor1d(biasGradients[step]!)],
      ]);
      optimizer.step(gradients, rates[step]!);
      tf.dispose([...gradients.values()]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(optimizer.stepCount).toBe(5);
    expect(optimizer.isDecayed('w')).toBe(true);
    expect(optimizer.isDecayed('b')).toBe(false);
    const expectedWeight = referenceAdamW(weightValues, weightGradients, rates, HYPER);
    const expectedBias = referenceAdamW(biasValues, biasGradients, rates, { ...HYPER, weightDecay: 0 });
    for (const [i, value] of weight.dataSync().entries()) expect(value).toBeCloseTo(expectedWeight[i]!, 6);
    for (const [i, value] of bias.dataSync().entries()) expect(value).toBeCloseTo(expectedBias[i]!, 6);
    optimizer.dispose();
    tf.dispose([weight, bias]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('resumes from saved state exactly as if never stopped', () => {
    const run = (steps: number[], resumeAfter?: number) => {
      const parameter = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
      let optimizer = new AdamW(new Map([['p', parameter]]));
      const gradients = gradientSeries(steps.length, 4, 1);
      steps.forEach((rate, step) => {
        if (step === resumeAfter) {
          const state = optimizer.stateToSafetensors();
          optimizer.dispose();
          optimizer = new AdamW(new Map([['p', parameter]]));
          optimizer.loadState(readSafetensors(writeSafetensors(state.tensors, state.metadata)));
          expect(optimizer.stepCount).toBe(step);
        }
        const gradient = tf.tensor2d(gradients[step]!, [2, 2]);
        optimizer.step(new Map([['p', gradient]]), rate);
        gradient.dispose();
      });
      const values = Array.from(parameter.dataSync());
      optimizer.dispose();
      parameter.dispose();
      return values;
    };
    const rates = [1e-2, 5e-3, 5e-3, 1e-3];
    expect(run(rates, 2)).toEqual(run(rates));
  });

  it('rejects state that does not fit, naming the tensor', () => {
    const parameter = tf.variable(tf.zeros([2, 2]));
    const other = tf.variable(tf.zeros([3]));
    const saved = new AdamW(new Map([['p', parameter]]));
    const state = saved.stateToSafetensors();
    const bytes = writeSafetensors(state.tensors, state.metadata);
    const wrongShape = new AdamW(new Map([['p', other]]));
    expect(() => wrongShape.loadState(readSafetensors(bytes))).toThrow(
      /'adamw\.m\.p' has shape \[2, 2\], expected \[3\]/,
    );
    const missing = new AdamW(new Map([['q', parameter]]));
    expect(() => missing.loadState(readSafetensors(bytes))).toThrow(/'adamw\.m\.q' is missing/);
    expect(() => wrongShape.step(new Map([['p', parameter]]), 1e-3)).toThrow(/gradient of 'p' has shape/);
    expect(() => new AdamW(new Map(), { beta2: 1 })).toThrow(/'beta2' must be in \[0, 1\)/);
    for (const optimizer of [saved, wrongShape, missing]) optimizer.dispose();
    tf.dispose([parameter, other]);
  });
});
