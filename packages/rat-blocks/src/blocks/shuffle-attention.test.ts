import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, loadParityFixture } from '../../test/fixture-helpers';
import { disposeParams } from '../core/param-tree';
import {
  exportShuffleAttentionToStateDict,
  initShuffleAttention,
  loadShuffleAttentionFromStateDict,
  shuffleAttentionForward,
} from './shuffle-attention';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('shuffle attention', () => {
  for (const name of ['01_shuffle_attention_c32', '01_shuffle_attention_c64']) {
    it(`matches ${name}`, () => {
      const fixture = loadParityFixture(name);
      const channels = Number(fixture.config['channel']);
      const groups = Number(fixture.config['G']);
      const params = loadShuffleAttentionFromStateDict(fixture.weights, '');
      expect(params.cweight.shape[0]).toBe(channels / (2 * groups));
      const x = fixture.io('x');
      const expected = fixture.io('out');
      const before = tf.memory().numTensors;
      const out = shuffleAttentionForward(params, x);
      expect(tf.memory().numTensors).toBe(before + 1);
      expectClose(out, expected, name);
      tf.dispose([x, expected, out]);
      disposeParams(params);
      fixture.dispose();
    });
  }

  it('exports the official layout and round-trips', () => {
    const fixture = loadParityFixture('01_shuffle_attention_c32');
    const params = loadShuffleAttentionFromStateDict(fixture.weights, '');
    const exported = exportShuffleAttentionToStateDict(params, 'se.');
    for (const key of Object.keys(fixture.weights)) {
      const mine = exported[`se.${key}`]!;
      expect(mine.shape).toEqual(fixture.weights[key]!.shape);
      expect(Array.from(mine.dataSync())).toEqual(Array.from(fixture.weights[key]!.dataSync()));
    }
    tf.dispose(Object.values(exported));
    disposeParams(params);
    fixture.dispose();
  });

  it('starts with both gates at sigmoid(1) (reference init)', () => {
    const params = initShuffleAttention(32);
    const x = tf.randomNormal([1, 3, 3, 32], 0, 1, 'float32', 7);
    const out = shuffleAttentionForward(params, x);
    const gate = 1 / (1 + Math.exp(-1));
    const shuffled = tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(x, [9, 2, 16]), [0, 2, 1]), [1, 3, 3, 32]).mul(gate),
    );
    expectClose(out, shuffled, 'sa init identity-gate');
    tf.dispose([x, out, shuffled]);
    disposeParams(params);
  });

  it('rejects channel counts that are not multiples of 2 * groups', () => {
    expect(() => initShuffleAttention(24)).toThrow(/multiple of 2 \* groups/);
  });
});
