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

  it("encodeWithWords: the same sentences, and each caption's tokens up to its end-of-text token", async () => {
    await useBackend(backend);
    const { clip } = tinySetup({}, 3);
    const tokenizer = await ClipTokenizer.load();
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const eotIndices = Array.from(
      tokenizer.tokenize(CAPTIONS, { contextLength: clip.text.config.contextLength, truncate: true })
        .eotIndices,
    );
    const before = tf.memory().numTensors;
    const encoded = encoder.encodeWithWords!(CAPTIONS);
    const length = Math.max(...eotIndices) + 1;
    expect(encoded.words.features.shape).toEqual([CAPTIONS.length, length, clip.text.config.width]);
    expect(encoded.words.mask.arraySync()).toEqual(
      eotIndices.map((end) => Array.from({ length }, (_, j) => (j <= end ? 1 : 0))),
    );
    const sentences = encoder.encode(CAPTIONS);
    expect(Array.from(encoded.sentences.dataSync())).toEqual(Array.from(sentences.dataSync()));
    // The features are the tokens after ln_final: the end-of-text row, projected, is the sentence.
    const pooled = tf.tidy(() => {
      const rows = eotIndices.map((end, i) => tf.slice(encoded.words.features, [i, end, 0], [1, 1, -1]));
      return tf.matMul(
        tf.reshape(tf.concat(rows, 0), [CAPTIONS.length, -1]),
        clip.text.parameters.projection,
      );
    });
    const worst = Math.max(
      ...Array.from(pooled.dataSync()).map((value, i) => Math.abs(value - sentences.dataSync()[i]!)),
    );
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([encoded.sentences, encoded.words.features, encoded.words.mask, sentences, pooled]);
    expect(tf.memory().numTensors).toBe(before);
    clip.dispose();
  });
});
