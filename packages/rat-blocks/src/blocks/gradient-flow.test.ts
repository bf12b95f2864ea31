import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { perturbVariables } from '../../test/fixture-helpers';
import { disposeParams, trainableVariables } from '../core/param-tree';
import { gBlockForward, initGBlock } from './g-block';
import { initMBlock, mBlockForward } from './m-block';
import { initRecurrentAffineChain, RecurrentAffineChain } from './recurrent-affine-chain';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectAllGradientsNonZero(variables: tf.Variable[], grads: tf.NamedTensorMap): void {
  for (const variable of variables) {
    const grad = grads[variable.name];
    expect(grad, `gradient of ${variable.name} [${variable.shape}]`).toBeDefined();
    const size = tf.tidy(() => tf.max(tf.abs(grad!)).dataSync()[0]!);
    expect(Number.isFinite(size)).toBe(true);
    expect(size, `|gradient| of ${variable.name} [${variable.shape}]`).toBeGreaterThan(0);
  }
}

describe('gradient flow (training mode)', () => {
  it('reaches every trainable parameter of two chained paper-mode M-blocks, their shared cell and initial state', () => {
    const rng = new SeededRandom(31);
    const condDim = 6;
    const first = initMBlock(
      { inChannels: 16, midChannels: 8, outChannels: 16, condDim, hiddenSize: 5 },
      rng,
    );
    const second = initMBlock(
      { inChannels: 16, midChannels: 8, outChannels: 32, condDim, hiddenSize: 5 },
      rng,
    );
    const chainParams = initRecurrentAffineChain(condDim, 5, rng, { initialState: 'noise', noiseDim: 4 });
    const variables = trainableVariables([first, second, chainParams]);
    perturbVariables(variables, 100);
    const x = tf.randomNormal([2, 4, 4, 16], 0, 1, 'float32', 1);
    const cond = tf.randomNormal([2, condDim], 0, 1, 'float32', 2);
    const noise = tf.randomNormal([2, 4], 0, 1, 'float32', 3);
    const target = tf.randomNormal([2, 4, 4, 32], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const chain = RecurrentAffineChain.start(chainParams, { noise });
      const h = mBlockForward(first, x, cond, { chain, training: true });
      const out = mBlockForward(second, h, cond, { chain, training: true });
      return tf.mean(tf.square(tf.sub(out, target))) as tf.Scalar;
    }, variables);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expectAllGradientsNonZero(variables, grads);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, cond, noise, target]);
    disposeParams([first, second, chainParams]);
  });

  it('reaches every trainable parameter of a G-block with a learned shortcut', () => {
    const rng = new SeededRandom(32);
    const params = initGBlock({ inChannels: 16, outChannels: 32, condDim: 6, size: 6 }, rng);
    const variables = trainableVariables(params);
    perturbVariables(variables, 200);
    const x = tf.randomNormal([2, 3, 3, 16], 0, 1, 'float32', 1);
    const cond = tf.randomNormal([2, 6], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(gBlockForward(params, x, cond, { training: true }))) as tf.Scalar,
      variables,
    );
    expectAllGradientsNonZero(variables, grads);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, cond]);
    disposeParams(params);
  });
});
