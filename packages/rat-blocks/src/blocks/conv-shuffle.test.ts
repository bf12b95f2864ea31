import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, loadParityFixture, printWorstErrors } from '../../test/fixture-helpers';
import { disposeParams } from '../core/param-tree';
import {
  convShuffleForward,
  convShufflePreAttention,
  exportConvShuffleToStateDict,
  initConvShuffle,
  loadConvShuffleFromStateDict,
} from './conv-shuffle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => printWorstErrors('conv-shuffle'));

describe('conv + BN + leaky ReLU + shuffle attention', () => {
  for (const name of ['02_conv_shuffle_a', '02_conv_shuffle_b']) {
    it(`matches ${name} (pre_sa and out, eval BatchNorm)`, () => {
      const fixture = loadParityFixture(name);
      const params = loadConvShuffleFromStateDict(fixture.weights, '', {
        stride: Number(fixture.config['s']),
        padding: Number(fixture.config['p']),
      });
      expect(params.conv.kernel.shape).toEqual([
        fixture.config['k'],
        fixture.config['k'],
        fixture.config['c1'],
        fixture.config['c2'],
      ]);
      const x = fixture.io('x');
      const before = tf.memory().numTensors;
      const pre = convShufflePreAttention(params, x);
      const out = convShuffleForward(params, x);
      expect(tf.memory().numTensors).toBe(before + 2);
      const [preRef, outRef] = [fixture.io('pre_sa'), fixture.io('out')];
      expectClose(pre, preRef, `${name} pre_sa`);
      expectClose(out, outRef, `${name} out`);

      const exported = exportConvShuffleToStateDict(params, '');
      expect(Object.keys(exported).sort()).toEqual(Object.keys(fixture.weights).sort());
      for (const [key, tensor] of Object.entries(exported)) {
        expect(tensor.shape, key).toEqual(fixture.weights[key]!.shape);
        expect(Array.from(tensor.dataSync()), key).toEqual(Array.from(fixture.weights[key]!.dataSync()));
      }
      tf.dispose([x, pre, out, preRef, outRef, ...Object.values(exported)]);
      disposeParams(params);
      fixture.dispose();
    });
  }

  it('training mode normalises with batch statistics and updates running stats like PyTorch', () => {
    const params = initConvShuffle(3, 16, new SeededRandom(3));
    const x = tf.randomNormal([2, 4, 5, 3], 0, 1, 'float32', 11);
    const conv = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, params.conv.kernel as tf.Tensor4D, 1, 'same'));
    const { mean, variance } = tf.moments(conv, [0, 1, 2]);
    const n = 2 * 4 * 5;
    const expectedMean = tf.mul(mean, 0.1);
    const expectedVar = tf.tidy(() => tf.add(0.9, tf.mul(variance, (0.1 * n) / (n - 1))));
    const out = convShuffleForward(params, x, { training: true });
    expectClose(params.bn.runningMean, expectedMean, 'bn running_mean update', 1e-6);
    expectClose(params.bn.runningVar, expectedVar, 'bn running_var update', 1e-6);
    expect(params.bn.numBatchesTracked.dataSync()[0]).toBe(1);
    // Batch-normalised pre-activations have zero mean per channel.
    const pre = tf.tidy(() => {
      const normalised = tf.div(tf.sub(conv, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return tf.add(tf.mul(normalised, 1.01 / 2), tf.mul(tf.abs(normalised), 0.99 / 2));
    });
    const actualPre = convShufflePreAttention(params, x, { training: true });
    expectClose(actualPre, pre, 'bn training pre_sa');
    expect(params.bn.numBatchesTracked.dataSync()[0]).toBe(2);
    tf.dispose([x, conv, mean, variance, expectedMean, expectedVar, out, pre, actualPre]);
    disposeParams(params);
  });
});
