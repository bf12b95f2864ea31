import * as tf from '@tensorflow/tfjs';
import { test } from 'vitest';
import { useBackend } from '../backends/use-backend';
import { SeededRandom } from '../random/seeded-random';
function check(name: string, pen: (w: tf.Tensor) => tf.Scalar, w: tf.Tensor, v: tf.Tensor) {
  const g = tf.grad(pen)(w);
  const out = [];
  for (const eps of [1e-2, 3e-3, 1e-3, 3e-4]) {
    const num = (pen(tf.add(w, tf.mul(v, eps))).dataSync()[0]! - pen(tf.sub(w, tf.mul(v, eps))).dataSync()[0]!) / (2 * eps);
    out.push(num.toPrecision(5));
  }
  console.log('RES', tf.getBackend(), name, 'analytic', tf.sum(tf.mul(g, v)).dataSync()[0]!.toPrecision(5), 'numeric', out.join(' '));
}
test('diag', async () => {
  await useBackend('cpu');
  const r = new SeededRandom(3);
  const T = (shape: number[], s = 1) => tf.tensor(r.normalArray(tf.util.sizeFromShape(shape)).map((v) => v * s), shape);
  const x = T([2, 4, 4, 4]);
  const dw = T([3, 3, 4, 2], 0.4); const v = T([3, 3, 4, 2]);
  const pen = (f: (h: tf.Tensor4D) => tf.Tensor) => (ww: tf.Tensor) => tf.tidy(() => { const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(f(tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same')))))(x); return tf.sum(tf.square(g)) as tf.Scalar; });
  check('sigmoid', pen((h) => tf.sigmoid(h)), dw, v);
  check('tanh', pen((h) => tf.tanh(h)), dw, v);
  check('exp', pen((h) => tf.exp(tf.mul(h, 0.5))), dw, v);
  check('softmax', pen((h) => tf.softmax(h)), dw, v);
  check('nearest', pen((h) => tf.image.resizeNearestNeighbor(h, [8, 8])), dw, v);
  check('bilinear hp', pen((h) => tf.image.resizeBilinear(h, [6, 5], false, true)), dw, v);
  check('bilinear', pen((h) => tf.image.resizeBilinear(h, [6, 5], false, false)), dw, v);
  check('avgpool', pen((h) => tf.avgPool(h, 2, 1, 'valid')), dw, v);
  check('softmax*exp', pen((h) => tf.mul(tf.softmax(h), tf.exp(tf.mul(h, 0.5)))), dw, v);
});
