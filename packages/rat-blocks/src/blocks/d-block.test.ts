import { SeededRandom } from '@ratlip/runtime';
import { proceduralValues, readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  expectSameStateDict,
  loadParityFixture,
  printWorstErrors,
} from '../../test/fixture-helpers';
import { disposeParams, trainableVariables } from '../core/param-tree';
import {
  dBlockForward,
  dBlockResidual,
  exportDBlockToStateDict,
  initDBlock,
  loadDBlockFromStateDict,
} from './d-block';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => printWorstErrors('d-block'));

describe('D-block (official D_Block)', () => {
  for (const name of ['06_d_block_a', '06_d_block_b']) {
    it(`matches ${name}: res and out`, () => {
      const fixture = loadParityFixture(name);
      const params = loadDBlockFromStateDict(fixture.weights, '', {
        stride: Number(fixture.config['s']),
        padding: Number(fixture.config['p']),
      });
      expect(params.beta !== undefined).toBe(fixture.config['CLIP_feat'] === true);
      const x = fixture.io('x');
      const clip = fixture.has('clip_feat') ? fixture.io('clip_feat') : undefined;
      const before = tf.memory().numTensors;
      const res = dBlockResidual(params, x);
      const out = dBlockForward(params, x, clip);
      expect(tf.memory().numTensors).toBe(before + 2);
      const [resRef, outRef] = [fixture.io('res'), fixture.io('out')];
      expectClose(res, resRef, `${name} res`);
      expectClose(out, outRef, `${name} out`);
      const exported = exportDBlockToStateDict(params, '');
      expectSameStateDict(exported, fixture.weights);
      tf.dispose([x, res, out, resRef, outRef, ...(clip ? [clip] : []), ...Object.values(exported)]);
      disposeParams(params);
      fixture.dispose();
    });
  }

  it('initialises like the reference: gamma = beta = 0, unused shortcut kept when in == out', () => {
    const params = initDBlock({ inChannels: 4, outChannels: 4 }, new SeededRandom(1));
    expect(params.shortcut).toBeDefined();
    expect(Array.from(params.gamma!.dataSync())).toEqual([0]);
    expect(Array.from(params.beta!.dataSync())).toEqual([0]);
    const x = tf.randomNormal([1, 3, 3, 4], 0, 1, 'float32', 1);
    const clip = tf.randomNormal([1, 3, 3, 4], 0, 1, 'float32', 2);
    const out = dBlockForward(params, x, clip);
    expectClose(out, x, 'd-block init identity', 0, 0);
    expect(() => dBlockForward(params, x)).toThrow(/clipFeature/);
    tf.dispose([x, clip, out]);
    disposeParams(params);
    const lean = initDBlock({ inChannels: 4, outChannels: 4, unusedShortcut: false }, new SeededRandom(1));
    expect(lean.shortcut).toBeUndefined();
    disposeParams(lean);
  });
});

describe('D-block on the procedural NetD weights (fixture 06_netd_netc_procedural)', () => {
  it('DBlocks.0 (768 -> 768 with CLIP feature, unused conv_s) matches io.netD.block0_out', () => {
    const file = readFixture('ratlip/06_netd_netc_procedural.safetensors');
    const rules = JSON.parse(file.metadata['netD_rules']!) as Record<string, [number, number]>;
    const hashKey = (key: string) => file.metadata['netD_hash_key']!.replace('<official netD key>', key);
    const [, , inChannels, height, width] = file.entry('io.h').shape as number[];
    const outChannels = file.entry('io.netD.block0_out').shape[1]!;
    const kernelSize = 3;
    const shapes: Record<string, number[]> = {
      gamma: [1],
      beta: [1],
      'conv_r.0.weight': [outChannels, inChannels!, kernelSize, kernelSize],
      'conv_r.2.weight': [outChannels, outChannels, kernelSize, kernelSize],
      'conv_s.weight': [outChannels, inChannels!, 1, 1],
      'conv_s.bias': [outChannels],
    };
    const weights: Record<string, tf.Tensor> = {};
    for (const [key, shape] of Object.entries(shapes)) {
      const [offset, scale] = rules[`DBlocks.0.${key}`]!;
      const count = shape.reduce((a, b) => a * b, 1);
      weights[key] = tf.tensor(proceduralValues(hashKey(`DBlocks.0.${key}`), count, offset, scale), shape);
    }
    const check = JSON.parse(file.metadata['netD_check']!) as Record<string, number>;
    expect(weights['gamma']!.dataSync()[0]).toBeCloseTo(check['DBlocks.0.gamma']!, 6);
    const params = loadDBlockFromStateDict(weights, '');
    const [x, clip, reference] = tf.tidy(() => {
      const h = file.tensor('io.h');
      // The block is per-sample, so the first sample suffices (halves the cpu convolutions).
      const take = (index: number) =>
        tf.transpose(
          tf.reshape(tf.slice(h, [0, index], [1, 1]), [1, inChannels!, height!, width!]),
          [0, 2, 3, 1],
        );
      const block0 = tf.slice(file.tensor('io.netD.block0_out'), 0, 1);
      return [take(0), take(1), tf.transpose(block0, [0, 2, 3, 1])];
    });
    const out = dBlockForward(params, x, clip);
    const maxRef = tf.tidy(() => tf.max(tf.abs(reference)).dataSync()[0]!);
    expectClose(out, reference, '06_netd_netc_procedural DBlocks.0', 1e-4 * maxRef, 0);
    tf.dispose([x, clip, reference, out, ...Object.values(weights)]);
    disposeParams(params);
  });
});

describe('D-block second-order gradients (MA-GP)', () => {
  it('grad of ||d out / d x||^2 w.r.t. the parameters is finite and matches finite differences', () => {
    const rng = new SeededRandom(4);
    const params = initDBlock({ inChannels: 4, outChannels: 6, clipFeature: true }, rng);
    tf.tidy(() => {
      (params.gamma as tf.Variable).assign(tf.tensor1d([0.7]));
      (params.beta as tf.Variable).assign(tf.tensor1d([0.4]));
    });
    const x = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 1);
    const clip = tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 2);
    const weights = tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 3);
    const penalty = () =>
      tf.tidy(() => {
        const inputGrad = tf.grad((input: tf.Tensor) =>
          tf.sum(tf.mul(dBlockForward(params, input, clip), weights)),
        )(x);
        return tf.sum(tf.square(inputGrad)) as tf.Scalar;
      });
    const variables = trainableVariables(params);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(penalty, variables);
    // beta and the shortcut bias do not enter d out / d x: their penalty gradient is structurally absent.
    const expectedWithGrad = variables.filter((v) => v !== params.beta && v !== params.shortcut?.bias);
    expect(expectedWithGrad).toHaveLength(4);
    for (const variable of expectedWithGrad) {
      const grad = grads[variable.name];
      expect(grad, `gradient of ${variable.name}`).toBeDefined();
      const values = grad!.dataSync();
      expect(values.every(Number.isFinite)).toBe(true);
      expect(tf.tidy(() => tf.max(tf.abs(grad!)).dataSync()[0]!)).toBeGreaterThan(0);
    }
    // Central differences. The penalty jumps where a pre-activation crosses the leaky ReLU's kink, so a
    // probe counts only where two step sizes agree (no kink inside the interval).
    const centralDifference = (variable: tf.Variable, index: number, epsilon: number) => {
      const original = variable.dataSync().slice();
      const evaluate = (delta: number) => {
        const changed = original.slice();
        changed[index] = original[index]! + delta;
        tf.tidy(() => variable.assign(tf.tensor(changed, variable.shape)));
        const loss = penalty();
        const result = loss.dataSync()[0]!;
        loss.dispose();
        return result;
      };
      const numeric = (evaluate(epsilon) - evaluate(-epsilon)) / (2 * epsilon);
      tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
      return numeric;
    };
    const probed = new Map<string, number>();
    for (const variable of expectedWithGrad) {
      const analytic = grads[variable.name]!.dataSync();
      for (let index = 0; index < Math.min(variable.size, 12); index += 3) {
        const coarse = centralDifference(variable, index, 2e-3);
        const fine = centralDifference(variable, index, 1e-3);
        const scale = Math.max(1, Math.abs(fine));
        if (Math.abs(coarse - fine) > 1e-2 * scale) continue;
        expect(
          Math.abs(analytic[index]! - fine),
          `${variable.name}[${index}]: ${analytic[index]} vs ${fine}`,
        ).toBeLessThan(1e-2 * scale);
        probed.set(variable.name, (probed.get(variable.name) ?? 0) + 1);
      }
      expect(probed.get(variable.name) ?? 0, `kink-free probes of ${variable.name}`).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, clip, weights]);
    disposeParams(params);
  });
});
