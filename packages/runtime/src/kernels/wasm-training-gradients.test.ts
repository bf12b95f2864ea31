import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, test } from 'vitest';
import { useBackend } from '../backends/use-backend';
import { leakyRelu } from '../ops/leaky-relu';
import { SeededRandom } from '../random/seeded-random';

const random = new SeededRandom(7);
const [batch, height, width, vocabulary, tokens] = [3, 16, 12, 20, 4];

/** Parameter values shared by both backends: name -> [shape, values]. */
const parameterValues = new Map<string, [number[], Float32Array]>(
  (
    [
      ['embedding', [vocabulary, 8]],
      ['conditionWeight', [8, 6]],
      ['conv1', [3, 3, 3, 8]],
      ['bias1', [8]],
      ['conv2', [4, 4, 8, 8]],
      ['depthwise', [3, 3, 8, 2]],
      ['pointwise', [1, 1, 16, 6]],
      ['head', [3, 3, 12, 1]],
      ['gamma', []],
    ] as const
  ).map(([name, shape]) => {
    const size = tf.util.sizeFromShape([...shape]);
    const values = random.normalArray(size).map((value) => value * (1 / Math.sqrt(Math.max(1, size / 8))));
    return [name, [[...shape], values]];
  }),
);
const imageValues = random.normalArray(batch * height * width * 3);
const tokenIds = Int32Array.from({ length: batch * tokens }, () => random.int(vocabulary));

/**
 * A small conditional conv net using every training kernel: gather (UnsortedSegmentSum), conv2d
 * 'same' stride 1 and 2 and 'valid' (both conv backprops), depthwise (its two backprops), concat.
 */
function loss(parameters: Record<string, tf.Variable>, images: tf.Tensor4D, ids: tf.Tensor2D): tf.Scalar {
  const p = (name: string) => parameters[name]!;
  const sentence = tf.matMul(tf.mean(tf.gather(p('embedding'), ids), 1), p('conditionWeight') as tf.Tensor2D);
  let h = leakyRelu(tf.add(tf.conv2d(images, p('conv1') as tf.Tensor4D, 1, 'same'), p('bias1')), 0.2);
  h = leakyRelu(tf.conv2d(h as tf.Tensor4D, p('conv2') as tf.Tensor4D, 2, 'same'), 0.2);
  h = tf.depthwiseConv2d(h as tf.Tensor4D, p('depthwise') as tf.Tensor4D, 1, 'valid');
  h = tf.mul(p('gamma'), tf.conv2d(h as tf.Tensor4D, p('pointwise') as tf.Tensor4D, 1, 'valid'));
  const [, rows, cols] = h.shape;
  const tiled = tf.tile(tf.reshape(sentence, [batch, 1, 1, 6]), [1, rows!, cols!, 1]);
  const logits = tf.conv2d(
    tf.concat([h as tf.Tensor4D, tiled as tf.Tensor4D], 3),
    p('head') as tf.Tensor4D,
    1,
    'valid',
  );
  return tf.mean(tf.square(logits));
}

/** The loss and all parameter gradients on `backend`, as plain arrays. */
async function gradientsOn(backend: 'cpu' | 'wasm') {
  await useBackend(backend);
  const parameters: Record<string, tf.Variable> = {};
  for (const [name, [shape, values]] of parameterValues) {
    parameters[name] = tf.variable(tf.tensor(values, shape), true, `${backend}-${name}`);
  }
  const images = tf.tensor4d(imageValues, [batch, height, width, 3]);
  const ids = tf.tensor2d(tokenIds, [batch, tokens], 'int32');
  const tensorsBefore = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => loss(parameters, images, ids));
  const result = {
    loss: value.dataSync()[0]!,
    grads: Object.fromEntries(
      Object.entries(grads).map(([name, grad]) => [name.slice(backend.length + 1), grad.dataSync()]),
    ),
  };
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors, `${backend}: tensors leaked by a training step`).toBe(tensorsBefore);
  tf.dispose([images, ids, ...Object.values(parameters)]);
  return result;
}

const worst: string[] = [];
afterAll(() => console.log(`conv net gradients, wasm vs cpu, max|d|/max|ref|: ${worst.join(', ')}`));

test('a conv net with gather, strided, valid and depthwise convs has the same gradients on wasm as on cpu', async () => {
  const reference = await gradientsOn('cpu');
  const candidate = await gradientsOn('wasm');
  expect(Math.abs(candidate.loss - reference.loss)).toBeLessThan(1e-5 * Math.abs(reference.loss));
  for (const name of parameterValues.keys()) {
    const expected = reference.grads[name]!;
    const actual = candidate.grads[name]!;
    expect(actual.length, name).toBe(expected.length);
    let difference = 0;
    let largest = 0;
    expected.forEach((value, index) => {
      difference = Math.max(difference, Math.abs(value - actual[index]!));
      largest = Math.max(largest, Math.abs(value));
    });
    expect(largest, `${name} gradient is all zeros`).toBeGreaterThan(0);
    worst.push(`${name} ${(difference / largest).toExponential(1)}`);
    expect(difference, name).toBeLessThanOrEqual(1e-4 * largest);
  }
});
