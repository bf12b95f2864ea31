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
import { isConvShuffle } from './block-conv';
import {
  exportGBlockToStateDict,
  gBlockForward,
  gBlockForwardWithIntermediates,
  initGBlock,
  loadGBlockFromStateDict,
} from './g-block';
import { nearestUpsample } from './nearest-upsample';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => printWorstErrors('g-block'));

describe('G-block (official G_Block)', () => {
  for (const name of ['05_g_block_a', '05_g_block_b']) {
    it(`matches ${name}: x_upsampled, residual, out`, () => {
      const fixture = loadParityFixture(name);
      const size = Number(fixture.config['imsize']);
      const params = loadGBlockFromStateDict(fixture.weights, '', { size });
      expect(params.shortcut !== undefined).toBe(fixture.file.metadata['learnable_sc'] === 'true');
      const [x, y] = [fixture.io('x'), fixture.io('y')];
      const before = tf.memory().numTensors;
      const outputs = gBlockForwardWithIntermediates(params, x, y);
      expect(tf.memory().numTensors).toBe(before + 3);
      for (const [actual, ioName] of [
        [outputs.upsampled, 'x_upsampled'],
        [outputs.residual, 'residual'],
        [outputs.output, 'out'],
      ] as const) {
        const reference = fixture.io(ioName);
        expectClose(actual, reference, `${name} ${ioName}`);
        reference.dispose();
      }
      const exported = exportGBlockToStateDict(params, '');
      expectSameStateDict(exported, fixture.weights);
      tf.dispose([x, y, ...Object.values(outputs), ...Object.values(exported)]);
      disposeParams(params);
      fixture.dispose();
    });
  }
});

describe('nearest upsample (PyTorch legacy nearest)', () => {
  it('reads input floor(i * in / out) for uneven ratios, e.g. 4 -> 7 and 5 -> 3', () => {
    for (const [inSize, outSize] of [
      [4, 7],
      [5, 3],
      [128, 224],
    ] as const) {
      const x = tf.tidy(() => tf.reshape(tf.range(0, inSize, 1, 'float32'), [1, inSize, 1, 1]));
      const out = nearestUpsample(x, [outSize, 1]);
      const expected = Array.from({ length: outSize }, (_, i) => Math.floor((i * inSize) / outSize));
      expect(Array.from(out.dataSync())).toEqual(expected);
      tf.dispose([x, out]);
    }
  });

  it('accepts non-square targets and rejects bad sizes', () => {
    const x = tf.zeros([1, 2, 3, 1]);
    const out = nearestUpsample(x, [5, 4]);
    expect(out.shape).toEqual([1, 5, 4, 1]);
    expect(() => nearestUpsample(x, 0)).toThrow(/positive integers/);
    tf.dispose([x, out]);
  });
});

describe('G-block, parameterised', () => {
  it('builds with recurrent affines and a custom size and runs in training mode', () => {
    const rng = new SeededRandom(9);
    const params = initGBlock({ inChannels: 16, outChannels: 32, condDim: 5, size: [6, 4] }, rng);
    const x = tf.randomNormal([2, 3, 2, 16], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, 5], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const out = gBlockForward(params, x, y, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.shape).toEqual([2, 6, 4, 32]);
    if (!isConvShuffle(params.c1)) throw new Error('expected Conv_shuffle by default');
    expect(params.c1.bn.numBatchesTracked.dataSync()[0]).toBe(1);
    tf.dispose([x, y, out]);
    disposeParams(params);
  });
});
