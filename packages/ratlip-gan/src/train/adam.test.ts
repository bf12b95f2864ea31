import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { AdamOptimizer } from './adam';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's Adam written out per element, the reference the fused update must equal. */
function referenceAdam(
  params: Float64Array,
  m: Float64Array,
  v: Float64Array,
  grad: ArrayLike<number>,
  step: number,
  { lr, beta1, beta2, eps }: { lr: number; beta1: number; beta2: number; eps: number },
): void {
  for (let i = 0; i < params.length; i++) {
    m[i] = beta1 * m[i]! + (1 - beta1) * grad[i]!;
    v[i] = beta2 * v[i]! + (1 - beta2) * grad[i]! ** 2;
    const denominator = Math.sqrt(v[i]!) / Math.sqrt(1 - beta2 ** step) + eps;
    params[i]! -= (lr / (1 - beta1 ** step)) * (m[i]! / denominator);
  }
}

describe('AdamOptimizer', () => {
  const hyper = { lr: 1e-2, beta1: 0.5, beta2: 0.9, eps: 1e-8 };
  const shapes: Record<string, number[]> = {
    'conv.weight': [3, 3, 2, 4],
    'conv.bias': [4],
    'fc.weight': [5, 2],
  };

  test('updates every variable as PyTorch does, and skips (value and moments) a variable without a gradient', () => {
    const random = new SeededRandom(3);
    const variables = new Map(
      Object.entries(shapes).map(([name, shape]) => [
        name,
        tf.variable(tf.tensor(random.normalArray(tf.util.sizeFromShape(shape)), shape)),
      ]),
    );
    const reference = new Map(
      [...variables].map(([name, variable]) => [
        name,
        {
          params: Float64Array.from(variable.dataSync()),
          m: new Float64Array(variable.size),
          v: new Float64Array(variable.size),
        },
      ]),
    );
    const adam = new AdamOptimizer(variables, {
      learningRate: hyper.lr,
      beta1: hyper.beta1,
      beta2: hyper.beta2,
      epsilon: hyper.eps,
    });
    const before = tf.memory().numTensors;
    for (let step = 1; step <= 3; step++) {
      // The bias has no gradient on step 2.
      const gradients: tf.NamedTensorMap = {};
      for (const [name, variable] of variables) {
        if (step === 2 && name === 'conv.bias') continue;
        const values = random.normalArray(variable.size);
        gradients[variable.name] = tf.tensor(values, variable.shape);
        const state = reference.get(name)!;
        referenceAdam(state.params, state.m, state.v, values, step, hyper);
      }
      adam.apply(gradients);
      tf.dispose(Object.values(gradients));
    }
    expect(tf.memory().numTensors).toBe(before);
    const state = adam.stateTensors('opt.');
    for (const [name, variable] of variables) {
      const expected = reference.get(name)!;
      const got = [
        variable.dataSync(),
        state[`opt.exp_avg.${name}`]!.dataSync(),
        state[`opt.exp_avg_sq.${name}`]!.dataSync(),
      ];
      [expected.params, expected.m, expected.v].forEach((values, k) => {
        const worst = values.reduce(
          (largest, value, i) => Math.max(largest, Math.abs(got[k]![i]! - value)),
          0,
        );
        expect(worst).toBeLessThan(1e-5);
      });
      expect(state[`opt.exp_avg.${name}`]!.shape).toEqual(variable.shape);
    }

    const restored = new AdamOptimizer(variables, { learningRate: hyper.lr, beta1: hyper.beta1 });
    restored.loadState(state, adam.step, 'opt.');
    const again = restored.stateTensors('opt.');
    for (const key of Object.keys(state)) expect(again[key]!.dataSync()).toEqual(state[key]!.dataSync());
    expect(() => restored.loadState({}, 1, 'opt.', 'ckpt.safetensors')).toThrow(
      /ckpt\.safetensors: missing 'opt\.exp_avg\.conv\.weight'/,
    );
    tf.dispose([...Object.values(state), ...Object.values(again), ...variables.values()]);
    adam.dispose();
    restored.dispose();
  });
});
