import * as tf from '@tensorflow/tfjs';
import type { ClipModel } from '../model/clip-model';
import type { TokenizedTexts } from '../tokenizer/clip-tokenizer';
import { endOfTextLength } from './end-of-text-length';

/** Candidate texts: an int32 ids tensor `[candidates, length]` or the tokenizer's output. */
export type CandidateTexts = tf.Tensor2D | TokenizedTexts;

/** One zero-shot classification task over the same images (e.g. one attribute). */
export interface ZeroShotTask {
  /** The candidate texts (prompts like "a red shape", or full captions). */
  candidates: CandidateTexts;
  /** True class of each image, `[images]`, integers in `[0, classCount)`. */
  labels: ArrayLike<number>;
  /**
   * Class of each candidate, `[candidates]`. Default: candidate i is class i. Several candidates may
   * share a class (prompt variants, or every full caption with that attribute value): an image is
   * predicted the class of its most similar candidate.
   */
  candidateClasses?: ArrayLike<number>;
}

/** Options of the zero-shot helpers. */
export interface ZeroShotOptions {
  /** Images or texts per forward pass. Default 64. */
  batchSize?: number;
}

/** Result of a zero-shot task. */
export interface ZeroShotResult {
  /** Share of images whose predicted class is their label, in [0, 1]. */
  accuracy: number;
  /** Predicted class per image, `[images]`. */
  predictions: Int32Array;
  /** Number of classes (the largest candidate class + 1). */
  classCount: number;
  /** Accuracy of guessing: `1 / classCount`. */
  chance: number;
}

/**
 * Zero-shot classification (CLIP's image-to-text top-1): each image gets the class of the candidate text
 * with the highest cosine similarity. With one candidate per image caption and `labels[i] = i` this is
 * image-to-text retrieval accuracy. Inputs stay owned by the caller; no tensors are left behind.
 * @param images CLIP-normalised `[images, imageSize, imageSize, 3]`.
 * @param candidateTexts `[candidates, length]` token ids.
 * @param labels true class per image.
 */
export function zeroShotAccuracy(
  model: ClipModel,
  images: tf.Tensor4D,
  candidateTexts: CandidateTexts,
  labels: ArrayLike<number>,
  options: ZeroShotOptions & Pick<ZeroShotTask, 'candidateClasses'> = {},
): ZeroShotResult {
  const task: ZeroShotTask = { candidates: candidateTexts, labels };
  if (options.candidateClasses !== undefined) task.candidateClasses = options.candidateClasses;
  return zeroShotTasks(model, images, { task }, options)['task']!;
}

/**
 * Several zero-shot tasks on the same images (e.g. colour, shape, size and position prompts), encoding
 * the images once.
 * @param images CLIP-normalised `[images, imageSize, imageSize, 3]`.
 * @returns one result per task name.
 */
export function zeroShotTasks(
  model: ClipModel,
  images: tf.Tensor4D,
  tasks: Readonly<Record<string, ZeroShotTask>>,
  options: ZeroShotOptions = {},
): Record<string, ZeroShotResult> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`ZeroShotOptions: 'batchSize' must be a positive integer, got ${batchSize}`);
  }
  const count = images.shape[0];
  for (const [name, task] of Object.entries(tasks)) checkTask(name, task, count);
  const imageEmbeddings = encodeInBatches(images, batchSize, (batch) =>
    model.encodeImage(batch as tf.Tensor4D),
  );
  try {
    const results: Record<string, ZeroShotResult> = {};
    for (const [name, task] of Object.entries(tasks)) {
      results[name] = runTask(model, imageEmbeddings, task, batchSize);
    }
    return results;
  } finally {
    imageEmbeddings.dispose();
  }
}

function runTask(
  model: ClipModel,
  imageEmbeddings: tf.Tensor2D,
  task: ZeroShotTask,
  batchSize: number,
): ZeroShotResult {
  const ids = candidateIds(task.candidates);
  const candidates = ids.shape[0];
  const candidateClasses = task.candidateClasses ?? Int32Array.from({ length: candidates }, (_, i) => i);
  let best: Int32Array;
  try {
    const length = endOfTextLength(ids);
    const cropped = tf.tidy(() => ids.slice([0, 0], [candidates, length]));
    const textEmbeddings = encodeInBatches(cropped, batchSize, (batch) =>
      model.encodeText(batch as tf.Tensor2D),
    );
    cropped.dispose();
    const nearest = tf.tidy(() => {
      const similarity = tf.matMul(normalize(imageEmbeddings), normalize(textEmbeddings), false, true);
      return tf.argMax(similarity, 1);
    });
    textEmbeddings.dispose();
    best = nearest.dataSync() as Int32Array;
    nearest.dispose();
  } finally {
    if (!(task.candidates instanceof tf.Tensor)) ids.dispose();
  }
  const classCount = largest(candidateClasses) + 1;
  const predictions = Int32Array.from(best, (candidate) => candidateClasses[candidate]!);
  const correct = predictions.reduce((sum, predicted, i) => sum + (predicted === task.labels[i] ? 1 : 0), 0);
  return { accuracy: correct / predictions.length, predictions, classCount, chance: 1 / classCount };
}

function largest(values: ArrayLike<number>): number {
  let result = -1;
  for (let i = 0; i < values.length; i++) result = Math.max(result, values[i]!);
  return result;
}

function normalize(x: tf.Tensor2D): tf.Tensor2D {
  return x.div(x.norm('euclidean', 1, true));
}

function candidateIds(candidates: CandidateTexts): tf.Tensor2D {
  if (candidates instanceof tf.Tensor) return candidates;
  return tf.tensor2d(candidates.ids, [candidates.count, candidates.contextLength], 'int32');
}

function encodeInBatches(
  input: tf.Tensor,
  batchSize: number,
  encode: (batch: tf.Tensor) => tf.Tensor2D,
): tf.Tensor2D {
  const count = input.shape[0]!;
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    parts.push(
      tf.tidy(() => {
        const begin = input.shape.map((_, axis) => (axis === 0 ? start : 0));
        const extent = input.shape.map((dim, axis) => (axis === 0 ? size : dim!));
        return encode(input.slice(begin, extent));
      }),
    );
  }
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

function checkTask(name: string, task: ZeroShotTask, images: number): void {
  const where = `zero-shot task '${name}'`;
  const candidates = task.candidates instanceof tf.Tensor ? task.candidates.shape[0] : task.candidates.count;
  if (
    task.candidates instanceof tf.Tensor &&
    (task.candidates.rank !== 2 || task.candidates.dtype !== 'int32')
  ) {
    throw new Error(
      `${where}: candidates must be int32 [candidates, length], got ${task.candidates.dtype} [${task.candidates.shape.join(', ')}]`,
    );
  }
  if (candidates < 1) throw new Error(`${where}: needs at least one candidate text`);
  if (task.labels.length !== images) {
    throw new Error(`${where}: labels has ${task.labels.length} entries for ${images} images`);
  }
  const classes = task.candidateClasses;
  if (classes !== undefined && classes.length !== candidates) {
    throw new Error(`${where}: candidateClasses has ${classes.length} entries for ${candidates} candidates`);
  }
  const classCount = classes === undefined ? candidates : largest(classes) + 1;
  const isClass = (value: number) => Number.isInteger(value) && value >= 0 && value < classCount;
  if (classes !== undefined && !Array.from(classes).every(isClass)) {
    throw new Error(`${where}: candidateClasses must be non-negative integers`);
  }
  const bad = Array.from(task.labels).findIndex((label) => !isClass(label));
  if (bad >= 0) {
    throw new Error(`${where}: labels[${bad}] = ${task.labels[bad]} is not a class in [0, ${classCount})`);
  }
}

/**
 * A zero-shot task whose candidates differ per image, drawn from a shared pool of texts: e.g. an
 * image's own caption with one attribute varied over all its values.
 */
export interface PerImageZeroShotTask {
  /** Per image, the rows of the text pool it chooses among (at least one each). */
  candidates: readonly ArrayLike<number>[];
  /** Per image, the position in its `candidates` list of the right text. */
  labels: ArrayLike<number>;
}

/** Result of a {@link PerImageZeroShotTask}. */
export interface PerImageZeroShotResult {
  /** Share of images whose most similar candidate is the right one, in [0, 1]. */
  accuracy: number;
  /** Per image, the position in its `candidates` list of its most similar text. */
  predictions: Int32Array;
  /** Accuracy of guessing: the mean over images of `1 / candidates`. */
  chance: number;
}

/**
 * Zero-shot tasks with per-image candidate sets over one pool of texts: every image and every pool
 * text is encoded once, then each image picks the candidate of highest cosine similarity. Inputs stay
 * owned by the caller; no tensors are left behind.
 * @param images CLIP-normalised `[images, imageSize, imageSize, 3]`.
 * @param texts the pool, `[texts, length]` token ids.
 * @returns one result per task name.
 */
export function zeroShotPerImageTasks(
  model: ClipModel,
  images: tf.Tensor4D,
  texts: CandidateTexts,
  tasks: Readonly<Record<string, PerImageZeroShotTask>>,
  options: ZeroShotOptions = {},
): Record<string, PerImageZeroShotResult> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`ZeroShotOptions: 'batchSize' must be a positive integer, got ${batchSize}`);
  }
  const count = images.shape[0];
  const pool = texts instanceof tf.Tensor ? texts.shape[0] : texts.count;
  for (const [name, task] of Object.entries(tasks)) checkPerImageTask(name, task, count, pool);
  const ids = candidateIds(texts);
  let similarity: Float32Array;
  try {
    const length = endOfTextLength(ids);
    const cropped = tf.tidy(() => ids.slice([0, 0], [pool, length]));
    const textEmbeddings = encodeInBatches(cropped, batchSize, (batch) =>
      model.encodeText(batch as tf.Tensor2D),
    );
    cropped.dispose();
    const imageEmbeddings = encodeInBatches(images, batchSize, (batch) =>
      model.encodeImage(batch as tf.Tensor4D),
    );
    const similarities = tf.tidy(() =>
      tf.matMul(normalize(imageEmbeddings), normalize(textEmbeddings), false, true),
    );
    tf.dispose([textEmbeddings, imageEmbeddings]);
    similarity = similarities.dataSync() as Float32Array;
    similarities.dispose();
  } finally {
    if (!(texts instanceof tf.Tensor)) ids.dispose();
  }
  const results: Record<string, PerImageZeroShotResult> = {};
  for (const [name, task] of Object.entries(tasks)) {
    const predictions = new Int32Array(count);
    let correct = 0;
    let chance = 0;
    for (let image = 0; image < count; image++) {
      const rows = task.candidates[image]!;
      let best = 0;
      for (let k = 1; k < rows.length; k++) {
        if (similarity[image * pool + rows[k]!]! > similarity[image * pool + rows[best]!]!) best = k;
      }
      predictions[image] = best;
      if (best === task.labels[image]) correct++;
      chance += 1 / rows.length;
    }
    results[name] = { accuracy: correct / count, predictions, chance: chance / count };
  }
  return results;
}

function checkPerImageTask(name: string, task: PerImageZeroShotTask, images: number, pool: number): void {
  const where = `zero-shot task '${name}'`;
  if (task.candidates.length !== images || task.labels.length !== images) {
    throw new Error(
      `${where}: needs candidates and labels for each of the ${images} images, got ${task.candidates.length} and ${task.labels.length}`,
    );
  }
  for (let image = 0; image < images; image++) {
    const rows = task.candidates[image]!;
    if (rows.length < 1) throw new Error(`${where}: image ${image} has no candidate texts`);
    for (let k = 0; k < rows.length; k++) {
      if (!Number.isInteger(rows[k]) || rows[k]! < 0 || rows[k]! >= pool) {
        throw new Error(
          `${where}: candidates[${image}][${k}] = ${rows[k]} is not a row of the ${pool} texts`,
        );
      }
    }
    const label = task.labels[image]!;
    if (!Number.isInteger(label) || label < 0 || label >= rows.length) {
      throw new Error(
        `${where}: labels[${image}] = ${label} is not a position in its ${rows.length} candidates`,
      );
    }
  }
}
