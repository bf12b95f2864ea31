import * as tf from '@tensorflow/tfjs';
import type { DataBatch } from './data-pipeline';

/** A batch as tensors; the caller disposes them. */
export interface BatchTensors {
  /** `[batch, imageSize, imageSize, 3]` float32 in [-1, 1]. */
  images: tf.Tensor4D;
  /** `[batch, contextLength]` int32 token ids, when the pipeline has a tokenizer. */
  tokens?: tf.Tensor2D;
}

/** Uploads a {@link DataBatch} to the current tfjs backend. The caller owns (and disposes) the tensors. */
export function batchToTensors(batch: DataBatch): BatchTensors {
  const images = tf.tensor4d(batch.images, [batch.size, batch.imageSize, batch.imageSize, 3], 'float32');
  if (!batch.tokens) return { images };
  return { images, tokens: tf.tensor2d(batch.tokens, [batch.size, batch.contextLength], 'int32') };
}
