import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  expectSameStateDict,
  loadParityFixture,
  printWorstErrors,
} from '../../test/fixture-helpers';
import { disposeParams } from '../core/param-tree';
import {
  conditionalAffineForward,
  conditionalAffineModulation,
  conditionalAffineSizes,
  exportConditionalAffineToStateDict,
  initConditionalAffine,
  loadConditionalAffineFromStateDict,
} from './conditional-affine';
import {
  dfBlockForwardWithIntermediates,
  exportDfBlockToStateDict,
  loadDfBlockFromStateDict,
} from './df-block';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => printWorstErrors('conditional-affine'));

describe('conditional affine (DF-GAN CAT)', () => {
  it('matches 03_affine (gamma, beta, out) and exports the official keys', () => {
    const fixture = loadParityFixture('03_affine');
    const params = loadConditionalAffineFromStateDict(fixture.weights, '');
    expect(conditionalAffineSizes(params)).toEqual({
      channels: fixture.config['num_features'],
      condDim: fixture.config['cond_dim'],
    });
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const before = tf.memory().numTensors;
    const { gamma, beta } = conditionalAffineModulation(params, y);
    const out = conditionalAffineForward(params, x, y);
    expect(tf.memory().numTensors).toBe(before + 3);
    const refs = [fixture.io('gamma'), fixture.io('beta'), fixture.io('out')] as const;
    expectClose(gamma, refs[0], '03_affine gamma');
    expectClose(beta, refs[1], '03_affine beta');
    expectClose(out, refs[2], '03_affine out');
    const exported = exportConditionalAffineToStateDict(params, '');
    expectSameStateDict(exported, fixture.weights);
    tf.dispose([x, y, gamma, beta, out, ...refs, ...Object.values(exported)]);
    disposeParams(params);
    fixture.dispose();
  });

  it('starts as the identity', () => {
    const params = initConditionalAffine(6, 8, new SeededRandom(1));
    const x = tf.randomNormal([2, 3, 3, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, 6], 0, 1, 'float32', 2);
    const out = conditionalAffineForward(params, x, y);
    expectClose(out, x, 'affine init identity', 0, 0);
    tf.dispose([x, y, out]);
    disposeParams(params);
  });

  it('rejects activations whose channels do not match the heads', () => {
    const params = initConditionalAffine(6, 8, new SeededRandom(1));
    const x = tf.zeros([1, 2, 2, 4]);
    const y = tf.zeros([1, 6]);
    expect(() => conditionalAffineForward(params, x, y)).toThrow(/channels|\[batch, height, width, 8\]/);
    tf.dispose([x, y]);
    disposeParams(params);
  });
});

describe('DF block with conditional affines', () => {
  it('matches 03_dfblk (after_affine0_lrelu and out)', () => {
    const fixture = loadParityFixture('03_dfblk');
    const params = loadDfBlockFromStateDict(fixture.weights, '', { affine: 'conditional' });
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const before = tf.memory().numTensors;
    const { afterFirst, output } = dfBlockForwardWithIntermediates(params, x, y);
    expect(tf.memory().numTensors).toBe(before + 2);
    const [afterRef, outRef] = [fixture.io('after_affine0_lrelu'), fixture.io('out')];
    expectClose(afterFirst, afterRef, '03_dfblk after_affine0_lrelu');
    expectClose(output, outRef, '03_dfblk out');
    const exported = exportDfBlockToStateDict(params, '');
    expectSameStateDict(exported, fixture.weights);
    tf.dispose([x, y, afterFirst, output, afterRef, outRef, ...Object.values(exported)]);
    disposeParams(params);
    fixture.dispose();
  });
});
