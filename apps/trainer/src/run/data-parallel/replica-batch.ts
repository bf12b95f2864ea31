import { generatorCaptionTensors, type TrainBatch } from '@ratlip/ratlip-gan';
import * as tf from '@tensorflow/tfjs';

/** A batch-major float32 array: `shape[0]` counts the samples, `values` are row-major. */
export interface BatchArray {
  values: Float32Array;
  shape: number[];
}

/**
 * One step's {@link TrainBatch} as plain arrays, the form in which it crosses to replica threads.
 * Every array is batch-major, so a shard is a run of rows of each.
 */
export interface ReplicaBatch {
  /** `[batch, size, size, channels]`. */
  images: BatchArray;
  /** `[batch, sentenceDim]`. */
  sentences: BatchArray;
  /** Word features `[batch, words, width]` and mask `[batch, words]`, when the generator reads words. */
  words?: { features: BatchArray; mask: BatchArray };
  /** Phrase embeddings `[batch, phrases, sentenceDim]` and mask `[batch, phrases]`, when the generator reads phrases. */
  phrases?: { embeddings: BatchArray; mask: BatchArray };
  /** `[batch, choices, sentenceDim]`, when the contrastive CLIP term or hard mismatches are on. */
  contrastSentences?: BatchArray;
}

function arrayOf(tensor: tf.Tensor): BatchArray {
  return { values: Float32Array.from(tensor.dataSync()), shape: [...tensor.shape] };
}

function tensorOf(array: BatchArray): tf.Tensor {
  return tf.tensor(array.values, array.shape, 'float32');
}

function rowsOf(array: BatchArray, first: number, count: number): BatchArray {
  const rowValues = array.values.length / array.shape[0]!;
  return {
    values: array.values.slice(first * rowValues, (first + count) * rowValues),
    shape: [count, ...array.shape.slice(1)],
  };
}

/** The tensors of a (partial) train batch, to dispose together. */
export function trainBatchTensors(batch: Partial<TrainBatch>): tf.Tensor[] {
  return [
    ...(batch.images ? [batch.images] : []),
    ...generatorCaptionTensors(batch),
    ...(batch.contrastSentences ? [batch.contrastSentences] : []),
  ];
}

/** A batch of `images` and `text` (tensors read back; they stay the caller's). */
export function replicaBatchOf(images: BatchArray, text: Omit<TrainBatch, 'images'>): ReplicaBatch {
  return {
    images,
    sentences: arrayOf(text.sentences),
    ...(text.words
      ? { words: { features: arrayOf(text.words.features), mask: arrayOf(text.words.mask) } }
      : {}),
    ...(text.phrases
      ? { phrases: { embeddings: arrayOf(text.phrases.embeddings), mask: arrayOf(text.phrases.mask) } }
      : {}),
    ...(text.contrastSentences ? { contrastSentences: arrayOf(text.contrastSentences) } : {}),
  };
}

/** The arrays as tensors, which the caller disposes (see {@link trainBatchTensors}). */
export function trainBatchOf(batch: ReplicaBatch): TrainBatch {
  return {
    images: tensorOf(batch.images) as tf.Tensor4D,
    sentences: tensorOf(batch.sentences) as tf.Tensor2D,
    ...(batch.words
      ? {
          words: {
            features: tensorOf(batch.words.features) as tf.Tensor3D,
            mask: tensorOf(batch.words.mask) as tf.Tensor2D,
          },
        }
      : {}),
    ...(batch.phrases
      ? {
          phrases: {
            embeddings: tensorOf(batch.phrases.embeddings) as tf.Tensor3D,
            mask: tensorOf(batch.phrases.mask) as tf.Tensor2D,
          },
        }
      : {}),
    ...(batch.contrastSentences
      ? { contrastSentences: tensorOf(batch.contrastSentences) as tf.Tensor3D }
      : {}),
  };
}

/**
 * Shard `index` of `shards` equal shards: rows `[index * n, (index + 1) * n)` of every array, copied
 * (so that its buffers can be transferred).
 * @throws when the batch does not split into equal shards.
 */
export function replicaShard(batch: ReplicaBatch, index: number, shards: number): ReplicaBatch {
  const batchSize = batch.images.shape[0]!;
  const size = batchSize / shards;
  if (!Number.isInteger(size)) {
    throw new Error(`ReplicaPool: a batch of ${batchSize} does not split into ${shards} equal shards`);
  }
  const first = index * size;
  return {
    images: rowsOf(batch.images, first, size),
    sentences: rowsOf(batch.sentences, first, size),
    ...(batch.words
      ? {
          words: {
            features: rowsOf(batch.words.features, first, size),
            mask: rowsOf(batch.words.mask, first, size),
          },
        }
      : {}),
    ...(batch.phrases
      ? {
          phrases: {
            embeddings: rowsOf(batch.phrases.embeddings, first, size),
            mask: rowsOf(batch.phrases.mask, first, size),
          },
        }
      : {}),
    ...(batch.contrastSentences ? { contrastSentences: rowsOf(batch.contrastSentences, first, size) } : {}),
  };
}

/** The buffers of a batch's arrays, for `postMessage`'s transfer list. */
export function replicaBatchBuffers(batch: ReplicaBatch): ArrayBuffer[] {
  return [
    batch.images,
    batch.sentences,
    ...(batch.words ? [batch.words.features, batch.words.mask] : []),
    ...(batch.phrases ? [batch.phrases.embeddings, batch.phrases.mask] : []),
    ...(batch.contrastSentences ? [batch.contrastSentences] : []),
  ].map((array) => array.values.buffer as ArrayBuffer);
}
