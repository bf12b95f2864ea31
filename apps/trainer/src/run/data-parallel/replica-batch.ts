import type { TrainBatch } from '@ratlip/ratlip-gan';
import * as tf from '@tensorflow/tfjs';

/** A batch-major float32 array: `shape[0]` counts the samples, `values` are row-major. */
export interface BatchArray {
  values: Float32Array;
  shape: number[];
}

/**
 * What a batch carries beside its images, with any element type: tensors, or arrays for threads. Each
 * is batch-major.
 */
interface TextFields<T> {
  /** `[batch, sentenceDim]`. */
  sentences: T;
  /** Word features `[batch, words, width]` and mask `[batch, words]`, when the generator reads words. */
  words?: { features: T; mask: T };
  /** Phrase embeddings `[batch, phrases, sentenceDim]` and mask `[batch, phrases]`, when it reads phrases. */
  phrases?: { embeddings: T; mask: T };
  /** `[batch, choices, sentenceDim]`, when the contrastive CLIP term or hard mismatches are on. */
  contrastSentences?: T;
}

/**
 * One step's {@link TrainBatch} as plain arrays, the form in which it crosses to replica threads.
 * Every array is batch-major, so a shard is a run of rows of each.
 */
export interface ReplicaBatch extends TextFields<BatchArray> {
  /** `[batch, size, size, channels]`. */
  images: BatchArray;
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

/** `text` with `each` applied to every element it carries, leaving out what it does not carry. */
function mapText<A, B>(text: TextFields<A>, each: (element: A) => B): TextFields<B> {
  const { sentences, words, phrases, contrastSentences } = text;
  return {
    sentences: each(sentences),
    ...(words ? { words: { features: each(words.features), mask: each(words.mask) } } : {}),
    ...(phrases ? { phrases: { embeddings: each(phrases.embeddings), mask: each(phrases.mask) } } : {}),
    ...(contrastSentences ? { contrastSentences: each(contrastSentences) } : {}),
  };
}

/** Every element `text` carries, in a fixed order. */
function textElements<T>(text: Partial<TextFields<T>>): T[] {
  const { sentences, words, phrases, contrastSentences } = text;
  return [
    ...(sentences ? [sentences] : []),
    ...(words ? [words.features, words.mask] : []),
    ...(phrases ? [phrases.embeddings, phrases.mask] : []),
    ...(contrastSentences ? [contrastSentences] : []),
  ];
}

/** The tensors of a (partial) train batch, to dispose together. */
export function trainBatchTensors(batch: Partial<TrainBatch>): tf.Tensor[] {
  return [...(batch.images ? [batch.images] : []), ...textElements<tf.Tensor>(batch)];
}

/** A batch of `images` and `text` (tensors read back; they stay the caller's). */
export function replicaBatchOf(images: BatchArray, text: Omit<TrainBatch, 'images'>): ReplicaBatch {
  return { images, ...mapText<tf.Tensor, BatchArray>(text, arrayOf) };
}

/** The arrays as tensors, which the caller disposes (see {@link trainBatchTensors}). */
export function trainBatchOf(batch: ReplicaBatch): TrainBatch {
  const { images, ...text } = batch;
  return {
    images: tensorOf(images) as tf.Tensor4D,
    ...(mapText(text, tensorOf) as Omit<TrainBatch, 'images'>),
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
  const { images, ...text } = batch;
  return { images: rowsOf(images, first, size), ...mapText(text, (array) => rowsOf(array, first, size)) };
}

/** The buffers of a batch's arrays, for `postMessage`'s transfer list. */
export function replicaBatchBuffers(batch: ReplicaBatch): ArrayBuffer[] {
  return [batch.images, ...textElements(batch)].map((array) => array.values.buffer as ArrayBuffer);
}
