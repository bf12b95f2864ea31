import { leakyRelu } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  expectSameStateDict,
  loadParityFixture,
  printWorstErrors,
  sampleOf,
} from '../../test/fixture-helpers';
import { loadLstmCellFromStateDict } from '../core/lstm-cell';
import { disposeParams } from '../core/param-tree';
import type { StateDict } from '../core/state-dict';
import { affineForward } from './affine-kinds';
import { dfBlockForward, exportDfBlockToStateDict, loadDfBlockFromStateDict } from './df-block';
import {
  exportLegacyRecurrentAffineToStateDict,
  legacyRecurrentAffineForward,
  legacyRecurrentAffineModulation,
  loadLegacyRecurrentAffineFromStateDict,
  loadRecurrentAffineFromStateDict,
  recurrentAffineForward,
  recurrentAffineModulation,
} from './recurrent-affine';
import { RecurrentAffineChain, type RecurrentAffineChainParams } from './recurrent-affine-chain';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => printWorstErrors('recurrent-affine'));

/** A zero-initialised paper-mode chain whose shared cell is the LSTM stored under `prefix`. */
function chainFromOfficialLstm(weights: StateDict, prefix: string): RecurrentAffineChainParams {
  const cell = loadLstmCellFromStateDict(weights, prefix, '_l0');
  return {
    config: {
      condDim: cell.inputKernel.shape[0]!,
      hiddenSize: cell.recurrentKernel.shape[0]!,
      initialState: 'zeros',
    },
    cell,
  };
}

/** Runs `run` on each sample alone (batch 1) and concatenates the results. */
function eachAlone(batch: number, run: (index: number) => tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.concat(
      Array.from({ length: batch }, (_, index) => run(index)),
      0,
    ),
  );
}

describe('recurrent affine, legacy mode (official Affine_rnn)', () => {
  it('matches 04_affine_rnn: lstm_seq_out, h_n, c_n, gamma, beta, out, out_batch_reversed', () => {
    const fixture = loadParityFixture('04_affine_rnn');
    const params = loadLegacyRecurrentAffineFromStateDict(fixture.weights, '');
    expect(params.lstm.recurrentKernel.shape[0]).toBe(fixture.config['rnn_hidden_size']);
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const before = tf.memory().numTensors;
    const modulation = legacyRecurrentAffineModulation(params, y);
    const out = legacyRecurrentAffineForward(params, x, y);
    expect(tf.memory().numTensors).toBe(before + 6);
    const checks: [tf.Tensor, string][] = [
      [modulation.sequence, 'lstm_seq_out'],
      [modulation.h, 'h_n'],
      [modulation.c, 'c_n'],
      [modulation.gamma, 'gamma'],
      [modulation.beta, 'beta'],
      [out, 'out'],
    ];
    for (const [actual, name] of checks) {
      const reference = fixture.io(name);
      expectClose(actual, reference, `04_affine_rnn legacy ${name}`);
      reference.dispose();
    }
    const [xr, yr, outrRef] = [
      fixture.io('x_batch_reversed'),
      fixture.io('y_batch_reversed'),
      fixture.io('out_batch_reversed'),
    ];
    const outr = legacyRecurrentAffineForward(params, xr, yr);
    expectClose(outr, outrRef, '04_affine_rnn legacy out_batch_reversed');
    // The official mode mixes samples: reversing the batch changes every output.
    const flipped = tf.reverse(outr, 0);
    expect(tf.max(tf.abs(tf.sub(flipped, out))).dataSync()[0]).toBeGreaterThan(1e-3);

    const exported = exportLegacyRecurrentAffineToStateDict(params, '');
    expectSameStateDict(exported, fixture.weights);
    tf.dispose([
      x,
      y,
      out,
      xr,
      yr,
      outr,
      outrRef,
      flipped,
      ...Object.values(modulation),
      ...Object.values(exported),
    ]);
    disposeParams(params);
    fixture.dispose();
  });

  it('with batch 1 per sample equals per_sample.out', () => {
    const fixture = loadParityFixture('04_affine_rnn');
    const params = loadLegacyRecurrentAffineFromStateDict(fixture.weights, '');
    const [x, y, reference] = [fixture.io('x'), fixture.io('y'), fixture.io('per_sample.out')];
    const alone = eachAlone(x.shape[0], (i) =>
      legacyRecurrentAffineForward(params, sampleOf(x, i), sampleOf(y, i)),
    );
    expectClose(alone, reference, '04_affine_rnn legacy each alone');
    tf.dispose([x, y, reference, alone]);
    disposeParams(params);
    fixture.dispose();
  });
});

describe('recurrent affine, paper mode (shared cell, per-sample state)', () => {
  it('one step from zero state matches per_sample.h, c, gamma, beta, out', () => {
    const fixture = loadParityFixture('04_affine_rnn');
    const chainParams = chainFromOfficialLstm(fixture.weights, 'rnn.');
    const params = loadRecurrentAffineFromStateDict(fixture.weights, '');
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const batchSize = x.shape[0];

    const modulationChain = RecurrentAffineChain.start(chainParams, { batchSize });
    const modulation = recurrentAffineModulation(params, y, { chain: modulationChain });
    expect(modulationChain.stepCount).toBe(1);
    for (const [actual, name] of [
      [modulationChain.state.h, 'per_sample.h'],
      [modulationChain.state.c, 'per_sample.c'],
      [modulation.gamma, 'per_sample.gamma'],
      [modulation.beta, 'per_sample.beta'],
    ] as const) {
      const reference = fixture.io(name);
      expectClose(actual, reference, `04_affine_rnn paper ${name}`);
      reference.dispose();
    }
    modulationChain.dispose();

    const before = tf.memory().numTensors;
    const chain = RecurrentAffineChain.start(chainParams, { batchSize });
    const out = recurrentAffineForward(params, x, y, { chain });
    chain.dispose();
    expect(tf.memory().numTensors).toBe(before + 1);
    const reference = fixture.io('per_sample.out');
    expectClose(out, reference, '04_affine_rnn paper out');
    tf.dispose([x, y, out, reference, modulation.gamma, modulation.beta]);
    disposeParams([params, chainParams]);
    fixture.dispose();
  });

  it('is batch independent: permuting the batch permutes the outputs', () => {
    const fixture = loadParityFixture('04_affine_rnn');
    const chainParams = chainFromOfficialLstm(fixture.weights, 'rnn.');
    const params = loadRecurrentAffineFromStateDict(fixture.weights, '');
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const run = (xs: tf.Tensor, ys: tf.Tensor) =>
      tf.tidy(() => {
        const chain = RecurrentAffineChain.start(chainParams, { batchSize: xs.shape[0]! });
        return recurrentAffineForward(params, xs, ys, { chain });
      });
    const out = run(x, y);
    const reversed = tf.tidy(() => tf.reverse(run(tf.reverse(x, 0), tf.reverse(y, 0)), 0));
    expectClose(reversed, out, 'paper mode batch reversed', 1e-6, 0);
    const alone = eachAlone(x.shape[0], (i) => run(sampleOf(x, i), sampleOf(y, i)));
    expectClose(alone, out, 'paper mode each alone', 1e-6, 0);
    tf.dispose([x, y, out, reversed, alone]);
    disposeParams([params, chainParams]);
    fixture.dispose();
  });

  it('without a chain throws a clear error', () => {
    const fixture = loadParityFixture('04_affine_rnn');
    const params = loadRecurrentAffineFromStateDict(fixture.weights, '');
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    expect(() => affineForward(params, x, y)).toThrow(/options\.chain is required/);
    tf.dispose([x, y]);
    disposeParams(params);
    fixture.dispose();
  });
});

describe('DF block with recurrent affines', () => {
  it('matches 04_dfblk_rnn in legacy mode (out, out_batch_reversed) and exports the official keys', () => {
    const fixture = loadParityFixture('04_dfblk_rnn');
    const params = loadDfBlockFromStateDict(fixture.weights, '', { affine: 'recurrent-legacy' });
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const before = tf.memory().numTensors;
    const out = dfBlockForward(params, x, y);
    expect(tf.memory().numTensors).toBe(before + 1);
    const outRef = fixture.io('out');
    expectClose(out, outRef, '04_dfblk_rnn legacy out');
    const [xr, yr, outrRef] = [
      fixture.io('x_batch_reversed'),
      fixture.io('y_batch_reversed'),
      fixture.io('out_batch_reversed'),
    ];
    const outr = dfBlockForward(params, xr, yr);
    expectClose(outr, outrRef, '04_dfblk_rnn legacy out_batch_reversed');
    const alone = eachAlone(x.shape[0], (i) => dfBlockForward(params, sampleOf(x, i), sampleOf(y, i)));
    const perSample = fixture.io('per_sample.out');
    expectClose(alone, perSample, '04_dfblk_rnn legacy each alone');
    const exported = exportDfBlockToStateDict(params, '');
    expectSameStateDict(exported, fixture.weights);
    tf.dispose([x, y, out, outRef, xr, yr, outr, outrRef, alone, perSample, ...Object.values(exported)]);
    disposeParams(params);
    fixture.dispose();
  });

  it('per_sample.out equals paper-mode affines each stepping their own zero-state cell once', () => {
    const fixture = loadParityFixture('04_dfblk_rnn');
    const affine0 = loadRecurrentAffineFromStateDict(fixture.weights, 'affine0.');
    const affine1 = loadRecurrentAffineFromStateDict(fixture.weights, 'affine1.');
    const chain0Params = chainFromOfficialLstm(fixture.weights, 'affine0.rnn.');
    const chain1Params = chainFromOfficialLstm(fixture.weights, 'affine1.rnn.');
    const [x, y, reference] = [fixture.io('x'), fixture.io('y'), fixture.io('per_sample.out')];
    const out = tf.tidy(() => {
      const batchSize = x.shape[0]!;
      const chain0 = RecurrentAffineChain.start(chain0Params, { batchSize });
      const chain1 = RecurrentAffineChain.start(chain1Params, { batchSize });
      const h = leakyRelu(recurrentAffineForward(affine0, x, y, { chain: chain0 }), 0.2);
      return leakyRelu(recurrentAffineForward(affine1, h, y, { chain: chain1 }), 0.2);
    });
    expectClose(out, reference, '04_dfblk_rnn paper per_sample.out');
    tf.dispose([x, y, reference, out]);
    disposeParams([affine0, affine1, chain0Params, chain1Params]);
    fixture.dispose();
  });
});

describe('recurrent affine chain', () => {
  it('state chained across layers differs from independent resets', () => {
    const fixture = loadParityFixture('04_affine_rnn');
    const chainParams = chainFromOfficialLstm(fixture.weights, 'rnn.');
    const params = loadRecurrentAffineFromStateDict(fixture.weights, '');
    const [x, y] = [fixture.io('x'), fixture.io('y')];
    const { chained, independent } = tf.tidy(() => {
      const chain = RecurrentAffineChain.start(chainParams, { batchSize: x.shape[0]! });
      const first = recurrentAffineForward(params, x, y, { chain });
      const chainedOut = recurrentAffineForward(params, first, y, { chain });
      const reset = RecurrentAffineChain.start(chainParams, { batchSize: x.shape[0]! });
      const second = recurrentAffineForward(params, first, y, { chain: reset });
      return { chained: chainedOut, independent: second };
    });
    expect(tf.max(tf.abs(tf.sub(chained, independent))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([x, y, chained, independent]);
    disposeParams([params, chainParams]);
    fixture.dispose();
  });
});
