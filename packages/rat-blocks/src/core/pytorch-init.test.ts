import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameStateDict } from '../../test/fixture-helpers';
import { initMBlock } from '../blocks/m-block';
import {
  exportRecurrentAffineChainToStateDict,
  initRecurrentAffineChain,
  loadRecurrentAffineChainFromStateDict,
} from '../blocks/recurrent-affine-chain';
import { initBatchNorm } from './batch-norm';
import { initConv2d } from './conv2d';
import { initLinear } from './linear';
import { initLstmCell } from './lstm-cell';
import { disposeParams, paramTensors } from './param-tree';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbs(tensor: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tensor)).dataSync()[0]!);
}

describe('reference initialisation', () => {
  it('uses PyTorch bounds: 1/sqrt(fanIn) for convs and linears, 1/sqrt(hidden) for LSTMs', () => {
    const rng = new SeededRandom(1);
    const conv = initConv2d(8, 16, rng, { kernelSize: 3 });
    const linear = initLinear(20, 10, rng);
    const lstm = initLstmCell(20, 12, rng);
    const convBound = 1 / Math.sqrt(8 * 9);
    expect(maxAbs(conv.kernel)).toBeLessThanOrEqual(convBound);
    expect(maxAbs(conv.kernel)).toBeGreaterThan(0.9 * convBound);
    expect(maxAbs(conv.bias!)).toBeLessThanOrEqual(convBound);
    expect(maxAbs(linear.weight)).toBeLessThanOrEqual(1 / Math.sqrt(20));
    for (const tensor of paramTensors(lstm)) expect(maxAbs(tensor)).toBeLessThanOrEqual(1 / Math.sqrt(12));
    const bn = initBatchNorm(4);
    expect(Array.from(bn.runningVar.dataSync())).toEqual([1, 1, 1, 1]);
    expect(bn.runningMean.trainable).toBe(false);
    disposeParams([conv, linear, lstm, bn]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const config = { inChannels: 8, midChannels: 8, outChannels: 16, condDim: 6, hiddenSize: 4 };
    const a = initMBlock(config, new SeededRandom(5));
    const b = initMBlock(config, new SeededRandom(5));
    const c = initMBlock(config, new SeededRandom(6));
    const [ta, tb, tc] = [paramTensors(a), paramTensors(b), paramTensors(c)];
    expect(ta.length).toBe(tb.length);
    ta.forEach((tensor, i) => {
      expect(Array.from(tensor.dataSync())).toEqual(Array.from(tb[i]!.dataSync()));
    });
    expect(Array.from(ta[0]!.dataSync())).not.toEqual(Array.from(tc[0]!.dataSync()));
    disposeParams([a, b, c]);
  });

  it('round-trips the paper-mode chain through its state dict (LSTMCell and Linear naming)', () => {
    const chain = initRecurrentAffineChain(6, 4, new SeededRandom(2), { initialState: 'noise', noiseDim: 3 });
    const exported = exportRecurrentAffineChainToStateDict(chain, 'rat.');
    expect(Object.keys(exported).sort()).toEqual([
      'rat.cell.bias_hh',
      'rat.cell.bias_ih',
      'rat.cell.weight_hh',
      'rat.cell.weight_ih',
      'rat.init_c.bias',
      'rat.init_c.weight',
      'rat.init_h.bias',
      'rat.init_h.weight',
    ]);
    expect(exported['rat.cell.weight_ih']!.shape).toEqual([16, 6]);
    const loaded = loadRecurrentAffineChainFromStateDict(exported, 'rat.');
    expect(loaded.config).toEqual(chain.config);
    const again = exportRecurrentAffineChainToStateDict(loaded, 'rat.');
    expectSameStateDict(again, exported);
    tf.dispose([...Object.values(exported), ...Object.values(again)]);
    disposeParams([chain, loaded]);
  });

  it('reports a missing or mis-shaped state-dict entry by key', () => {
    const chain = initRecurrentAffineChain(6, 4, new SeededRandom(2));
    const exported = exportRecurrentAffineChainToStateDict(chain, '');
    const { ['cell.bias_hh']: removed, ...missing } = exported;
    expect(() => loadRecurrentAffineChainFromStateDict(missing, '')).toThrow(/missing key 'cell\.bias_hh'/);
    const wrong = { ...exported, 'cell.weight_hh': tf.zeros([16, 5]) };
    expect(() => loadRecurrentAffineChainFromStateDict(wrong, '')).toThrow(
      /'cell\.weight_hh' has shape \[16, 5\]/,
    );
    tf.dispose([...Object.values(exported), wrong['cell.weight_hh'], removed!]);
    disposeParams(chain);
  });
});
