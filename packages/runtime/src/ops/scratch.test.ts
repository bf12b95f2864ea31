import * as tf from '@tensorflow/tfjs';
import { test } from 'vitest';
import { leakyRelu } from './leaky-relu';
import { SeededRandom } from '../random/seeded-random';
const r = new SeededRandom(3);
const T = (shape: number[], s = 1) => tf.tensor(r.normalArray(tf.util.sizeFromShape(shape)).map((v) => v * s), shape);
function check(name: string, pen: (w: tf.Tensor) => tf.Scalar, w: tf.Tensor) {
  const g = tf.grad(pen)(w);
  const v = T(w.shape);
  for (const eps of [1e-1, 1e-2, 1e-3]) {
    const num = (pen(tf.add(w, tf.mul(v, eps))).dataSync()[0]! - pen(tf.sub(w, tf.mul(v, eps))).dataSync()[0]!) / (2 * eps);
    console.log(name, 'eps', eps, 'analytic', tf.sum(tf.mul(g, v)).dataSync()[0], 'numeric', num);
  }
}
test('diag', async () => {
  await tf.setBackend('cpu');
  const x = T([2, 5, 5, 3]);
  const w1 = T([3, 3, 3, 4], 0.3);
  const w2 = T([3, 3, 4, 1], 0.3);
  check('linear conv sq', (w) => tf.tidy(() => { const g = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(x); return tf.sum(tf.square(g)) as tf.Scalar; }), w1);
  check('two conv sq', (w) => tf.tidy(() => { const g = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), w2 as tf.Tensor4D, 1, 'same')))(x); return tf.sum(tf.square(g)) as tf.Scalar; }), w1);
  check('conv lrelu conv sq', (w) => tf.tidy(() => { const g = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(leakyRelu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), 0.2) as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'same')))(x); return tf.sum(tf.square(g)) as tf.Scalar; }), w1);
  check('conv lrelu conv sq wrt w2', (w) => tf.tidy(() => { const g = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(leakyRelu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'), 0.2) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(x); return tf.sum(tf.square(g)) as tf.Scalar; }), w2);
  check('linear conv ^6', (w) => tf.tidy(() => { const g = tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(x); return tf.mean(tf.pow(tf.sum(tf.square(tf.reshape(g, [2, -1])), 1), 3)) as tf.Scalar; }), w1);
});
