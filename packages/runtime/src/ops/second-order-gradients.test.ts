import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { describeEachBackend } from '../testing/backends';
import { leakyRelu } from './leaky-relu';

/**
 * Second-order gradients checked against finite differences of the first-order ones: for a scalar
 * loss L(theta) that itself contains a gradient, the analytic derivative along a random direction v,
 * <dL/dtheta, v>, must match (L(theta + eps v) - L(theta - eps v)) / (2 eps). In float32 with eps =
 * 1e-2 of the parameter scale, truncation and rounding errors stay near 1e-3 relative, so 2e-2
 * tolerates them while any wrong or missing second-order term is off by O(1).
 */

type Parameters = Record<string, tf.Tensor>;

const epsilon = 1e-2;
const tolerance = 2e-2;

function randomTensor(random: SeededRandom, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(
    random.normalArray(tf.util.sizeFromShape(shape)).map((value) => value * scale),
    shape,
  );
}

/**
 * Compares, for every parameter, the analytic directional derivative of `penalty` with central
 * finite differences, and checks the check itself leaks no tensors.
 */
function expectMatchesFiniteDifferences(
  penalty: (parameters: Parameters) => tf.Scalar,
  parameters: Parameters,
  random: SeededRandom,
): void {
  const names = Object.keys(parameters);
  const tensorsBefore = tf.memory().numTensors;
  const gradients = tf.grads((...values: tf.Tensor[]) =>
    penalty(Object.fromEntries(names.map((name, index) => [name, values[index]!]))),
  )(names.map((name) => parameters[name]!));
  names.forEach((name, index) => {
    const parameter = parameters[name]!;
    const direction = randomTensor(random, parameter.shape);
    const shifted = (sign: number) =>
      tf.tidy(() => penalty({ ...parameters, [name]: tf.add(parameter, tf.mul(direction, sign * epsilon)) }));
    const [plus, minus] = [shifted(1), shifted(-1)];
    const numeric = (plus.dataSync()[0]! - minus.dataSync()[0]!) / (2 * epsilon);
    const analytic = tf.tidy(() => tf.sum(tf.mul(gradients[index]!, direction)).dataSync()[0]!);
    expect(Number.isFinite(analytic), `${name}: analytic derivative`).toBe(true);
    expect(Math.abs(analytic), `${name}: derivative vanishes, the check would be vacuous`).toBeGreaterThan(1e-6);
    expect(
      Math.abs(analytic - numeric),
      `${name}: analytic ${analytic} vs finite difference ${numeric}`,
    ).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(analytic), Math.abs(numeric)));
    tf.dispose([direction, plus, minus]);
  });
  tf.dispose(gradients);
  expect(tf.memory().numTensors, 'tensors leaked').toBe(tensorsBefore);
}

/** ||g||^6 per sample, averaged: MA-GP's penalty with p = 6 (k = 2 is a constant factor). */
function maGradientPenalty(gradients: tf.Tensor[]): tf.Scalar {
  const squaredNorms = tf.addN(
    gradients.map((gradient) => tf.sum(tf.square(tf.reshape(gradient, [gradient.shape[0]!, -1])), 1)),
  );
  return tf.mean(tf.pow(squaredNorms, 3));
}

describeEachBackend(['cpu', 'wasm'], 'second-order gradients', () => {
  test('MA-GP through a discriminator: conv blocks, leakyRelu, 1x1 shortcut, gamma, tiled sentence, 4x4 head', () => {
    const random = new SeededRandom(11);
    const [batch, size, channels, sentenceSize] = [2, 5, 4, 3];
    const features = randomTensor(random, [batch, size, size, channels]);
    const sentence = randomTensor(random, [batch, sentenceSize]);
    const parameters: Parameters = {
      conv1: randomTensor(random, [3, 3, channels, 6], 0.3),
      conv2: randomTensor(random, [3, 3, 6, 6], 0.3),
      shortcut: randomTensor(random, [1, 1, channels, 6], 0.5),
      shortcutBias: randomTensor(random, [6], 0.1),
      gamma: tf.scalar(0.7),
      head: randomTensor(random, [4, 4, 6 + sentenceSize, 2], 0.3),
      head2: randomTensor(random, [2, 2, 2, 1], 0.5),
    };
    const discriminator = (p: Parameters, x: tf.Tensor, s: tf.Tensor): tf.Tensor => {
      const block = leakyRelu(
        tf.conv2d(
          leakyRelu(tf.conv2d(x as tf.Tensor4D, p['conv1'] as tf.Tensor4D, 1, 'same'), 0.2) as tf.Tensor4D,
          p['conv2'] as tf.Tensor4D,
          1,
          'same',
        ),
        0.2,
      );
      const shortcut = tf.add(tf.conv2d(x as tf.Tensor4D, p['shortcut'] as tf.Tensor4D, 1, 'valid'), p['shortcutBias']!);
      const out = tf.add(shortcut, tf.mul(p['gamma']!, block));
      const tiled = tf.tile(tf.reshape(s, [batch, 1, 1, sentenceSize]), [1, size, size, 1]);
      const hidden = leakyRelu(
        tf.conv2d(tf.concat([out as tf.Tensor4D, tiled as tf.Tensor4D], 3), p['head'] as tf.Tensor4D, 1, 'valid'),
        0.2,
      );
      return tf.conv2d(hidden as tf.Tensor4D, p['head2'] as tf.Tensor4D, 1, 'valid');
    };
    const penalty = (p: Parameters) =>
      tf.tidy(() => {
        const inputGradients = tf.grads((x: tf.Tensor, s: tf.Tensor) => tf.sum(discriminator(p, x, s)))([
          features,
          sentence,
        ]);
        return maGradientPenalty(inputGradients);
      });
    expectMatchesFiniteDifferences(penalty, parameters, random);
    tf.dispose([features, sentence, ...Object.values(parameters)]);
  });

  test('strided conv2d, depthwise conv2d, resize and average pooling inside a gradient penalty', () => {
    const random = new SeededRandom(12);
    const image = randomTensor(random, [2, 8, 7, 3]);
    const parameters: Parameters = {
      strided: randomTensor(random, [4, 4, 3, 4], 0.3),
      depthwise: randomTensor(random, [3, 3, 4, 2], 0.4),
      pointwise: randomTensor(random, [1, 1, 8, 1], 0.4),
    };
    const network = (p: Parameters, x: tf.Tensor): tf.Tensor => {
      let h = tf.conv2d(x as tf.Tensor4D, p['strided'] as tf.Tensor4D, 2, 'same');
      h = tf.sigmoid(tf.depthwiseConv2d(h as tf.Tensor4D, p['depthwise'] as tf.Tensor4D, 1, 'same'));
      h = tf.image.resizeNearestNeighbor(h as tf.Tensor4D, [8, 8]);
      h = tf.image.resizeBilinear(h as tf.Tensor4D, [6, 5]);
      h = tf.avgPool(h as tf.Tensor4D, 2, 1, 'valid');
      return tf.conv2d(h as tf.Tensor4D, p['pointwise'] as tf.Tensor4D, 1, 'valid');
    };
    const penalty = (p: Parameters) =>
      tf.tidy(() => maGradientPenalty([tf.grad((x: tf.Tensor) => tf.sum(tf.square(network(p, x))))(image)]));
    expectMatchesFiniteDifferences(penalty, parameters, random);
    tf.dispose([image, ...Object.values(parameters)]);
  });

  test('a loss on conv filter gradients differentiates with respect to the input (Conv2DBackpropFilter gradient)', () => {
    const random = new SeededRandom(13);
    const filter = randomTensor(random, [3, 3, 2, 3], 0.5);
    const depthwiseFilter = randomTensor(random, [3, 3, 2, 2], 0.5);
    const parameters: Parameters = { image: randomTensor(random, [2, 6, 5, 2]) };
    const penalty = (p: Parameters) =>
      tf.tidy(() => {
        const [filterGradient, depthwiseGradient] = tf.grads((w: tf.Tensor, d: tf.Tensor) =>
          tf.sum(
            tf.square(
              tf.add(
                tf.conv2d(p['image'] as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'),
                tf.sum(tf.depthwiseConv2d(p['image'] as tf.Tensor4D, d as tf.Tensor4D, 2, 'same'), 3, true),
              ),
            ),
          ),
        )([filter, depthwiseFilter]);
        return tf.add(tf.sum(tf.square(filterGradient!)), tf.sum(tf.square(depthwiseGradient!))) as tf.Scalar;
      });
    expectMatchesFiniteDifferences(penalty, parameters, random);
    tf.dispose([filter, depthwiseFilter, ...Object.values(parameters)]);
  });
});
