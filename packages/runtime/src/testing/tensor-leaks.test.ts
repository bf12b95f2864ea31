import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countTensorsDuring, expectNoTensorLeak } from './tensor-leaks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('expectNoTensorLeak', () => {
  it('passes a tidy function and returns its result for the caller to dispose', () => {
    const x = tf.ones([2, 2]);
    const out = expectNoTensorLeak(() => tf.tidy(() => x.add(1).mul(2)), { label: 'forward' });
    expect(out.dataSync()).toEqual(new Float32Array([4, 4, 4, 4]));
    out.dispose();
    x.dispose();
  });

  it('fails a function that leaks intermediates, naming it and the counts', () => {
    const x = tf.ones([3]);
    let leaked: tf.Tensor | undefined;
    expect(() =>
      expectNoTensorLeak(
        () => {
          leaked = x.square();
          return leaked.sum();
        },
        { label: 'leaky step' },
      ),
    ).toThrow(/leaky step leaked 1 tensor\(s\): numTensors went \d+ -> \d+ with 1 returned/);
    tf.dispose([x, leaked!]);
  });

  it('counts tensors in nested results (arrays, objects, Maps) as returned, once each', () => {
    const report = countTensorsDuring(() => {
      const a = tf.scalar(1);
      return { list: [a, a, tf.scalar(2)], map: new Map([['b', tf.scalar(3)]]), note: 'x' };
    });
    expect(report.returned).toBe(3);
    expect(report.leaked).toBe(0);
    tf.dispose([...report.result.list, ...report.result.map.values()]);
  });

  it('does not excuse a leak by returning a tensor that existed before', () => {
    const weight = tf.ones([2]);
    expect(() =>
      expectNoTensorLeak(() => {
        tf.zeros([1]);
        return weight;
      }),
    ).toThrow(/leaked 1 tensor/);
    weight.dispose();
  });

  it('works with async functions', async () => {
    const x = tf.ones([4]);
    const total = await expectNoTensorLeak(async () => {
      const sum = x.sum();
      const value = (await sum.data())[0];
      sum.dispose();
      return value;
    });
    expect(total).toBe(4);
    await expect(
      expectNoTensorLeak(
        async () => {
          x.mul(3);
          await Promise.resolve();
        },
        { label: 'async step' },
      ),
    ).rejects.toThrow(/async step leaked 1 tensor/);
    x.dispose();
  });

  it('treats new variables as leaks unless allowed, and honours `allowed`', () => {
    const made: tf.Variable[] = [];
    const makeVariable = () => {
      const initial = tf.zeros([2]);
      made.push(tf.variable(initial));
      initial.dispose();
    };
    expect(() => expectNoTensorLeak(makeVariable)).toThrow(
      /leaked 1 tensor\(s\), 1 of them new variables \(pass allowNewVariables if intended\)/,
    );
    expectNoTensorLeak(makeVariable, { allowNewVariables: true });
    const cache: tf.Tensor[] = [];
    expectNoTensorLeak(() => void cache.push(tf.ones([1])), { allowed: 1 });
    tf.dispose([...made, ...cache]);
  });

  it('lets errors of the function through unchanged', () => {
    expect(() =>
      expectNoTensorLeak(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });
});
