import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countTrainableParameters, disposeParams } from '../core/param-tree';
import { blockConvForward, blockConvKind, initBlockConv, loadBlockConvFromStateDict } from './block-conv';
import { exportGBlockToStateDict, gBlockForward, initGBlock, loadGBlockFromStateDict } from './g-block';
import { exportMBlockToStateDict, initMBlock, loadMBlockFromStateDict, mBlockForward } from './m-block';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const condDim = 7;

describe('block convs: GALIP plain convs beside RATLIP Conv_shuffle', () => {
  it('a plain block conv is a conv with bias; both kinds are detected from their keys', () => {
    const rng = new SeededRandom(3);
    const plain = initBlockConv('plain', 4, 6, rng);
    const shuffle = initBlockConv('shuffle', 4, 16, rng);
    expect(blockConvKind(plain)).toBe('plain');
    expect(blockConvKind(shuffle)).toBe('shuffle');
    expect(countTrainableParameters(plain)).toBe(4 * 6 * 9 + 6);
    const x = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const out = blockConvForward(plain, x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.shape).toEqual([2, 5, 5, 6]);
    expect(() => loadBlockConvFromStateDict({}, 'c1.')).toThrow(/c1\.conv\.weight.*c1\.weight/);
    tf.dispose([x, out]);
    disposeParams([plain, shuffle]);
  });

  it('GALIP M_Block: conv1 -> DF -> conv2 (bias) -> DF, keys conv1/fuse1/conv2/fuse2/c_sc, round trip', () => {
    const rng = new SeededRandom(4);
    const params = initMBlock(
      { inChannels: 8, midChannels: 4, outChannels: 6, condDim, affine: 'conditional', convKind: 'plain' },
      rng,
    );
    const exported = exportMBlockToStateDict(params, 'm.');
    expect(Object.keys(exported).filter((key) => key.startsWith('m.conv2.'))).toEqual([
      'm.conv2.weight',
      'm.conv2.bias',
    ]);
    expect(exported['m.c_sc.weight']?.shape).toEqual([6, 8, 1, 1]);
    const reloaded = loadMBlockFromStateDict(exported, 'm.', { affine: 'conditional' });
    expect(blockConvKind(reloaded.conv2)).toBe('plain');
    const x = tf.randomNormal([2, 5, 5, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, condDim], 0, 1, 'float32', 2);
    const a = mBlockForward(params, x, y);
    const b = mBlockForward(reloaded, x, y);
    expect(a.shape).toEqual([2, 5, 5, 6]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, y, a, b, ...Object.values(exported)]);
    disposeParams([params, reloaded]);
  });

  it('GALIP G_Block: DF -> c1 (bias) -> DF -> c2 (bias), no BatchNorm or attention, round trip', () => {
    const rng = new SeededRandom(5);
    const params = initGBlock({ inChannels: 8, outChannels: 4, condDim, size: 6, convKind: 'plain' }, rng);
    const exported = exportGBlockToStateDict(params, '');
    const convKeys = Object.keys(exported).filter((key) => /^c[12]\./.test(key));
    expect(convKeys.sort()).toEqual(['c1.bias', 'c1.weight', 'c2.bias', 'c2.weight']);
    const affineParams = (4 * (2 * (condDim * 8 + 8 + 8 * 8 + 8) + 2 * (condDim * 4 + 4 + 4 * 4 + 4))) / 2;
    expect(countTrainableParameters(params)).toBe(
      affineParams + (8 * 4 * 9 + 4) + (4 * 4 * 9 + 4) + (8 * 4 + 4),
    );
    const reloaded = loadGBlockFromStateDict(exported, '', { size: 6 });
    const x = tf.randomNormal([2, 3, 3, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, condDim], 0, 1, 'float32', 2);
    const a = gBlockForward(params, x, y, { training: true });
    const b = gBlockForward(reloaded, x, y);
    expect(a.shape).toEqual([2, 6, 6, 4]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, y, a, b, ...Object.values(exported)]);
    disposeParams([params, reloaded]);
  });
});
