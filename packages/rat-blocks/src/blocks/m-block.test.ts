import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  expectSameStateDict,
  loadParityFixture,
  printWorstErrors,
  sampleOf,
} from '../../test/fixture-helpers';
import { disposeParams } from '../core/param-tree';
import {
  exportMBlockToStateDict,
  initMBlock,
  loadMBlockFromStateDict,
  mBlockForward,
  mBlockForwardWithResidual,
} from './m-block';
import { initRecurrentAffineChain, RecurrentAffineChain } from './recurrent-affine-chain';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => printWorstErrors('m-block'));

describe('M-block with RAT, legacy mode (official M_Block_RAT)', () => {
  for (const name of ['05_m_block_rat_a', '05_m_block_rat_b']) {
    it(`matches ${name}: residual, out, out_batch_reversed, out_each_alone`, () => {
      const fixture = loadParityFixture(name);
      const params = loadMBlockFromStateDict(fixture.weights, '', {
        affine: 'recurrent-legacy',
        padding: Number(fixture.config['p']),
      });
      expect(params.shortcut !== undefined).toBe(fixture.file.metadata['learnable_sc'] === 'true');
      const [x, y] = [fixture.io('x'), fixture.io('y')];
      const before = tf.memory().numTensors;
      const { residual, output } = mBlockForwardWithResidual(params, x, y);
      expect(tf.memory().numTensors).toBe(before + 2);
      for (const [actual, ioName] of [
        [residual, 'residual'],
        [output, 'out'],
      ] as const) {
        const reference = fixture.io(ioName);
        expectClose(actual, reference, `${name} ${ioName}`);
        reference.dispose();
      }
      const reversed = mBlockForward(params, tf.reverse(x, 0), tf.reverse(y, 0));
      const reversedRef = fixture.io('out_batch_reversed');
      expectClose(reversed, reversedRef, `${name} out_batch_reversed`);
      const alone = tf.tidy(() =>
        tf.concat(
          Array.from({ length: x.shape[0] }, (_, i) => mBlockForward(params, sampleOf(x, i), sampleOf(y, i))),
          0,
        ),
      );
      const aloneRef = fixture.io('out_each_alone');
      expectClose(alone, aloneRef, `${name} out_each_alone`);
      const exported = exportMBlockToStateDict(params, '');
      expectSameStateDict(exported, fixture.weights);
      tf.dispose([
        x,
        y,
        residual,
        output,
        reversed,
        reversedRef,
        alone,
        aloneRef,
        ...Object.values(exported),
      ]);
      disposeParams(params);
      fixture.dispose();
    });
  }
});

describe('M-block, paper mode', () => {
  const config = { inChannels: 8, midChannels: 8, outChannels: 16, condDim: 6, hiddenSize: 5 };

  it('steps the chain four times and is batch independent', () => {
    const rng = new SeededRandom(21);
    const params = initMBlock(config, rng);
    const chainParams = initRecurrentAffineChain(config.condDim, config.hiddenSize, rng, {
      initialState: 'noise',
      noiseDim: 3,
    });
    // Non-identity heads, so the recurrent state actually shows in the output.
    for (const head of [params.fuse1.affine0, params.fuse2.affine1]) {
      if (head.kind !== 'recurrent') throw new Error('expected paper-mode affines');
      (head.gamma.linear2.weight as tf.Variable).assign(
        tf.randomNormal(
          [head.gamma.linear2.weight.shape[0]!, head.gamma.linear2.weight.shape[1]!],
          0,
          0.5,
          'float32',
          3,
        ),
      );
    }
    const x = tf.randomNormal([3, 4, 4, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([3, 6], 0, 1, 'float32', 2);
    const noise = tf.randomNormal([3, 3], 0, 1, 'float32', 4);
    const run = (xs: tf.Tensor, ys: tf.Tensor, zs: tf.Tensor) =>
      tf.tidy(() => {
        const chain = RecurrentAffineChain.start(chainParams, { noise: zs });
        const out = mBlockForward(params, xs, ys, { chain });
        expect(chain.stepCount).toBe(4);
        return out;
      });
    const before = tf.memory().numTensors;
    const out = run(x, y, noise);
    expect(tf.memory().numTensors).toBe(before + 1);
    const alone = tf.tidy(() =>
      tf.concat(
        [0, 1, 2].map((i) => run(sampleOf(x, i), sampleOf(y, i), sampleOf(noise, i))),
        0,
      ),
    );
    expectClose(alone, out, 'paper m-block each alone', 1e-5, 1e-5);
    const permutation = tf.tensor1d([2, 0, 1], 'int32');
    const permuted = tf.tidy(() =>
      run(tf.gather(x, permutation), tf.gather(y, permutation), tf.gather(noise, permutation)),
    );
    const expected = tf.gather(out, permutation);
    expectClose(permuted, expected, 'paper m-block permuted', 1e-5, 1e-5);
    tf.dispose([x, y, noise, out, alone, permutation, permuted, expected]);
    disposeParams([params, chainParams]);
  });

  it('a chain used outside tf.tidy leaks nothing after dispose()', () => {
    const rng = new SeededRandom(22);
    const params = initMBlock(config, rng);
    const next = initMBlock({ ...config, inChannels: config.outChannels }, rng);
    const chainParams = initRecurrentAffineChain(config.condDim, config.hiddenSize, rng);
    const x = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, 6], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const chain = RecurrentAffineChain.start(chainParams, { batchSize: 2 });
    const first = mBlockForward(params, x, y, { chain });
    const second = mBlockForward(next, first, y, { chain });
    expect(chain.stepCount).toBe(8);
    chain.dispose();
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, y, first, second]);
    disposeParams([params, next, chainParams]);
  });
});
