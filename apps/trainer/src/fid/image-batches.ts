import type { RgbImage } from '@ratlip/datasets';
import type { EvalBatch } from '@ratlip/eval';
import * as tf from '@tensorflow/tfjs';
import type { ImageSource } from './image-source';

/** `[batch, height, width, 3]` in [0, 1] from 8-bit RGB images of one size. */
function imagesToTensor(images: readonly RgbImage[]): tf.Tensor4D {
  const { width, height } = images[0]!;
  const pixels = width * height * 3;
  const values = new Float32Array(images.length * pixels);
  images.forEach((image, index) => {
    for (let i = 0; i < pixels; i++) values[index * pixels + i] = image.data[i]! / 255;
  });
  return tf.tensor4d(values, [images.length, height, width, 3]);
}

/**
 * The first `count` images of `source` as batches in [0, 1] of at most `batchSize` images. A batch
 * holds consecutive images of one size (images keep their own size; the Inception extractor resizes
 * them to 299 x 299), so a folder of mixed sizes gives smaller batches. The consumer disposes them.
 */
export async function* imageBatches(
  source: ImageSource,
  count: number,
  batchSize: number,
): AsyncGenerator<EvalBatch> {
  let pending: RgbImage[] = [];
  for (let index = 0; index < count; index++) {
    const image = await source.load(index);
    const first = pending[0];
    if (first && (first.width !== image.width || first.height !== image.height)) {
      yield { images: imagesToTensor(pending) };
      pending = [];
    }
    pending.push(image);
    if (pending.length === batchSize) {
      yield { images: imagesToTensor(pending) };
      pending = [];
    }
  }
  if (pending.length > 0) yield { images: imagesToTensor(pending) };
}
