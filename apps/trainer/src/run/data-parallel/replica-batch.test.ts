import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  type BatchArray,
  type ReplicaBatch,
  replicaBatchBuffers,
  replicaBatchOf,
  replicaShard,
  trainBatchOf,
  trainBatchTensors,
} from './replica-batch';

/** `[rows, ...rest]` filled with `row * 100 + position in the row`, so every value names its row. */
function numbered(shape: number[]): BatchArray {
  const rowValues = shape.slice(1).reduce((a, b) => a * b, 1);
  return {
    values: Float32Array.from(
      { length: shape[0]! * rowValues },
      (_, i) => Math.floor(i / rowValues) * 100 + (i % rowValues),
    ),
    shape,
  };
}

function rowIds(array: BatchArray): number[] {
  const rowValues = array.values.length / array.shape[0]!;
  return Array.from({ length: array.shape[0]! }, (_, row) =>
    Math.floor(array.values[row * rowValues]! / 100),
  );
}

const BATCH = 6;

function fullBatch(): ReplicaBatch {
  return {
    images: numbered([BATCH, 2, 2, 3]),
    sentences: numbered([BATCH, 4]),
    words: { features: numbered([BATCH, 5, 4]), mask: numbered([BATCH, 5]) },
    phrases: { embeddings: numbered([BATCH, 2, 4]), mask: numbered([BATCH, 2]) },
    contrastSentences: numbered([BATCH, 3, 4]),
  };
}

describe('replica batches', () => {
  it('gives each shard its own rows of every array, shapes kept past the batch axis', () => {
    const batch = fullBatch();
    for (const [index, expected] of [
      [0, [0, 1]],
      [1, [2, 3]],
      [2, [4, 5]],
    ] as const) {
      const shard = replicaShard(batch, index, 3);
      const arrays = [
        shard.images,
        shard.sentences,
        shard.words!.features,
        shard.words!.mask,
        shard.phrases!.embeddings,
        shard.phrases!.mask,
        shard.contrastSentences!,
      ];
      const originals = [
        batch.images,
        batch.sentences,
        batch.words!.features,
        batch.words!.mask,
        batch.phrases!.embeddings,
        batch.phrases!.mask,
        batch.contrastSentences!,
      ];
      arrays.forEach((array, k) => {
        expect(array.shape).toEqual([2, ...originals[k]!.shape.slice(1)]);
        expect(rowIds(array)).toEqual(expected);
        expect(array.values.length).toBe(originals[k]!.values.length / 3);
      });
      expect(replicaBatchBuffers(shard)).toHaveLength(7);
    }
    // Shards are copies: transferring one leaves the batch whole.
    expect(replicaShard(batch, 1, 3).images.values.buffer).not.toBe(batch.images.values.buffer);
  });

  it('leaves out what the batch does not carry', () => {
    const { images, sentences } = fullBatch();
    const shard = replicaShard({ images, sentences }, 1, 2);
    expect(shard.words).toBeUndefined();
    expect(shard.phrases).toBeUndefined();
    expect(shard.contrastSentences).toBeUndefined();
    expect(replicaBatchBuffers(shard)).toHaveLength(2);
  });

  it('refuses a batch that does not split into equal shards', () => {
    expect(() => replicaShard(fullBatch(), 0, 4)).toThrow(
      'ReplicaPool: a batch of 6 does not split into 4 equal shards',
    );
  });

  it('round-trips tensors through arrays without keeping any', () => {
    const before = tf.memory().numTensors;
    const batch = fullBatch();
    const tensors = trainBatchOf(batch);
    expect(tensors.words!.features.shape).toEqual(batch.words!.features.shape);
    expect(tensors.phrases!.embeddings.shape).toEqual(batch.phrases!.embeddings.shape);
    const again = replicaBatchOf(batch.images, tensors);
    expect(again).toEqual(batch);
    tf.dispose(trainBatchTensors(tensors));
    expect(tf.memory().numTensors).toBe(before);
  });
});
