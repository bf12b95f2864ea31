import { ClipTokenizer } from '@ratlip/clip';
import { type BackendName, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { tinySetup } from '../testing/tiny-model.test-support';
import { clipSentenceEncoder } from './sentence-encoder';

const CAPTIONS = ['', 'a dot', 'a small red circle in the top left and a large blue star at the bottom'];

describe.each(['cpu', 'wasm'] as BackendName[])('clipSentenceEncoder (%s)', (backend) => {
  it('gives the embeddings of the full padded context, in any batch', async () => {
    await useBackend(backend);
    const { clip } = tinySetup({}, 2);
    const tokenizer = await ClipTokenizer.load();
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const before = tf.memory().numTensors;
    const { ids, count, contextLength, eotIndices } = tokenizer.tokenize(CAPTIONS, {
      contextLength: clip.text.config.contextLength,
      truncate: true,
    });
    const full = tf.tidy(() =>
      clip.text.encode(tf.tensor2d(ids, [count, contextLength], 'int32')).arraySync(),
    );
    const batch = tf.tidy(() => encoder.encode(CAPTIONS).arraySync());
    const alone = CAPTIONS.map((caption) => tf.tidy(() => encoder.encode([caption]).arraySync()[0]!));
    // wasm sums matrix products in blocks that depend on the sequence length: rounding differences only.
    const worst = (rows: number[][]) =>
      Math.max(...rows.flatMap((row, i) => row.map((value, k) => Math.abs(value - full[i]![k]!))));
    expect(worst(batch)).toBeLessThan(1e-5);
    expect(worst(alone)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    // The tower ran only up to the longest caption's end-of-text token.
    const encode = vi.spyOn(clip.text, 'encode');
    tf.dispose(encoder.encode(CAPTIONS));
    expect(encode.mock.calls[0]![0].shape).toEqual([count, Math.max(...eotIndices) + 1]);
    expect(Math.max(...eotIndices) + 1).toBeLessThan(contextLength);
    clip.dispose();
  });
});
