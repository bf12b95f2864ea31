import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { SeededRandom } from '../../random/seeded-random';
import { describeEachBackend } from '../../testing/backends';

type Resize = (images: tf.Tensor4D) => tf.Tensor4D;

/** <resize(x), y> and <x, gradient of <resize(x), y>>: equal when the gradient is the adjoint. */
function adjointPair(resize: Resize, x: tf.Tensor4D, y: tf.Tensor4D): [number, number] {
  return tf.tidy(() => {
    const forward = tf.sum(tf.mul(resize(x), y)).dataSync()[0]!;
    const gradient = tf.grad((images: tf.Tensor) => tf.sum(tf.mul(resize(images as tf.Tensor4D), y)))(x);
    expect(gradient.shape).toEqual(x.shape);
    return [forward, tf.sum(tf.mul(x, gradient)).dataSync()[0]!];
  });
}

const cases = [
  ['2x upsample, batch 3', [3, 4, 4, 2], [8, 8], false, false],
  ['non-square, batch 2', [2, 5, 3, 3], [8, 7], false, false],
  ['downsample 256 to 224', [2, 32, 32, 1], [28, 28], false, false],
  ['half-pixel centres', [2, 4, 6, 2], [8, 9], false, true],
  ['align corners', [2, 4, 5, 2], [7, 9], true, false],
] as const;

describeEachBackend(['cpu', 'wasm'], 'resize gradients are the adjoint of the forward resize', () => {
  test.each(cases)('%s', (_name, shape, size, alignCorners, halfPixelCenters) => {
    const random = new SeededRandom(5);
    const x = tf.tensor4d(random.normalArray(tf.util.sizeFromShape([...shape])), [...shape]);
    const y = tf.tensor4d(random.normalArray(shape[0] * size[0] * size[1] * shape[3]), [
      shape[0],
      size[0],
      size[1],
      shape[3],
    ]);
    const resizes: Record<string, Resize> = {
      nearest: (images) => tf.image.resizeNearestNeighbor(images, [...size], alignCorners, halfPixelCenters),
      bilinear: (images) => tf.image.resizeBilinear(images, [...size], alignCorners, halfPixelCenters),
    };
    for (const [kind, resize] of Object.entries(resizes)) {
      const [forward, backward] = adjointPair(resize, x, y);
      expect(Math.abs(forward - backward), kind).toBeLessThan(1e-4 * (1 + Math.abs(forward)));
    }
    tf.dispose([x, y]);
  });
});
