import {
  ClipModel,
  ClipTokenizer,
  clipPreset,
  clipTextWeightsToSafetensors,
  initializeClipParameters,
} from '@ratlip/clip';
import type { WebModelManifest } from '@ratlip/ratlip-gan';
import { writeSafetensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SentenceEncoder } from './sentence-encoder';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function manifestWith(contextLength: number): WebModelManifest {
  return {
    format: 'ratlip-web-model',
    formatVersion: 1,
    name: 'test',
    preset: 'ratlip-tiny',
    config: {},
    files: {
      generator: { path: 'generator.safetensors', bytes: 9, sha256: '0'.repeat(64) },
      textEncoder: { path: 'clip-text.safetensors', bytes: 9, sha256: '1'.repeat(64) },
    },
    tokenizer: { kind: 'clip-bpe', contextLength },
    sampleCaptions: ['a red circle'],
  };
}

describe('SentenceEncoder', () => {
  it('encodes captions as the CLIP text tower does, leaking no tensors', async () => {
    const config = clipPreset('tiny');
    const clip = new ClipModel(config, initializeClipParameters(config, { seed: 3 }));
    const tower = clip.text;
    const file = clipTextWeightsToSafetensors(tower);
    const bytes = writeSafetensors(file.tensors, file.metadata);
    const captions = ['a red circle on the left', 'a small blue square'];
    const tokenizer = await ClipTokenizer.load();
    const { ids } = tokenizer.tokenize(captions, { contextLength: config.text.contextLength });
    const expected = tf.tidy(() => tower.encode(tf.tensor2d(ids, [2, config.text.contextLength], 'int32')));

    const encoder = await SentenceEncoder.load(manifestWith(config.text.contextLength), bytes);
    expect(encoder.embedDim).toBe(config.text.embedDim);
    const before = tf.memory().numTensors;
    const embeddings = encoder.encode(captions);
    expect(embeddings.shape).toEqual([2, config.text.embedDim]);
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(embeddings, expected))).dataSync()[0]!);
    expect(difference).toBeLessThanOrEqual(1e-6);
    embeddings.dispose();
    expect(tf.memory().numTensors).toBe(before);

    encoder.dispose();
    expected.dispose();
    clip.dispose();
  });

  it('refuses a tower whose context differs from the manifest', async () => {
    const config = clipPreset('tiny');
    const clip = new ClipModel(config, initializeClipParameters(config, { seed: 1 }));
    const file = clipTextWeightsToSafetensors(clip.text);
    await expect(
      SentenceEncoder.load(manifestWith(16), writeSafetensors(file.tensors, file.metadata)),
    ).rejects.toThrow(
      "clip-text.safetensors: the text tower's context length is 77, manifest tokenizer.contextLength says 16",
    );
    clip.dispose();
  });
});
