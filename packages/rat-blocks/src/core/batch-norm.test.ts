import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBatchNorm } from './batch-norm';
import { disposeParams, paramTensors } from './param-tree';

describe('initBatchNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('creates exactly its parameters and buffers, and disposing them frees everything', () => {
    const before = tf.memory().numTensors;
    const params = initBatchNorm(6);
    expect(tf.memory().numTensors - before).toBe(paramTensors(params).length);
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(before);
  });
});
