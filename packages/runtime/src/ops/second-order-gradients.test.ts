import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, test } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { describeEachBackend } from '../testing/backends';
import { leakyRelu } from './leaky-relu';

/**
 * Second-order gradients checked against finite differences of the first-order ones: for a scalar
 * loss L(theta) that itself contains a gradient, the analytic derivative along a random direction v,
 * <dL/dtheta, v>, must match (L(theta + eps v) - L(theta - eps v)) / (2 eps).
 *
 * A gradient through leakyRelu contains its derivative, a step function of the pre-activation, so L
 * jumps wherever a pre-activation changes sign: the finite difference is only meaningful when no sign
 * differs between the points it samples. Models report their pre-activations to `observe`, and eps
 * shrinks from 1e-2 until the sign patterns agree. Richardson extrapolation of the central differences
 * at eps and eps/2 makes the truncation error O(eps^4); with float32 rounding the result is good to
 * about 1e-3 relative, so 2e-2 tolerates it while a wrong or missing second-order term is off by O(1).
 */

type Parameters = Record<string, tf.Tensor>;

/** Called by a model with each pre-activation whose sign its gradient depends on. */
type Observe = (preActivation: tf.Tensor) => void;

type Penalty = (parameters: Parameters, observe: Observe) => tf.Scalar;

const epsilons = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5];
const tolerance = 2e-2;
const ignore: Observe = () => {};

function randomTensor(random: SeededRandom, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(
    random.normalArray(tf.util.sizeFromShape(shape)).map((value) => value * scale),
    shape,
  );
}

/** The penalty's value with one parameter moved along `direction`, and the signs its model saw. */
function evaluateShifted(
  penalty: Penalty,
  parameters: Parameters,
  name: string,
  direction: tf.Tensor,
  step: number,
): { value: number; signs: string } {
  const signs: string[] = [];
  const value = tf.tidy(() => {
    const shifted = { ...parameters, [name]: tf.add(parameters[name]!, tf.mul(direction, step)) };
    const observe: Observe = (preActivation) => {
      signs.push(Array.from(tf.sign(preActivation).dataSync()).join(''));
    };
    return penalty(shifted, observe).dataSync()[0]!;
  });
  return { value, signs: signs.join('|') };
}

/**
 * Compares, for every parameter, the analytic directional derivative of `penalty` with central
 * finite differences, and checks that differentiating leaks no tensors.
 */
function expectMatchesFiniteDifferences(
  penalty: Penalty,
  parameters: Parameters,
  random: SeededRandom,
): void {
  const names = Object.keys(parameters);
  const tensorsBefore = tf.memory().numTensors;
  const gradients = tf.grads((...values: tf.Tensor[]) =>
    penalty(Object.fromEntries(names.map((name, index) => [name, values[index]!])), ignore),
  )(names.map((name) => parameters[name]!));
  const penaltyValue = tf.tidy(() => penalty(parameters, ignore).dataSync()[0]!);
  let largestDerivative = 0;
  names.forEach((name, index) => {
    const direction = randomTensor(random, parameters[name]!.shape);
    const analytic = tf.tidy(() => tf.sum(tf.mul(gradients[index]!, direction)).dataSync()[0]!);
    let numeric: number | undefined;
    for (const epsilon of epsilons) {
      const samples = [epsilon, -epsilon, epsilon / 2, -epsilon / 2].map((step) =>
        evaluateShifted(penalty, parameters, name, direction, step),
      );
      if (samples.some((sample) => sample.signs !== samples[0]!.signs)) continue;
      const [plus, minus, halfPlus, halfMinus] = samples.map((sample) => sample.value) as [
        number,
        number,
        number,
        number,
      ];
      const central = (plus - minus) / (2 * epsilon);
      const halfCentral = (halfPlus - halfMinus) / epsilon;
      numeric = (4 * halfCentral - central) / 3;
      break;
    }
    direction.dispose();
    expect(numeric, `${name}: every step crosses a leakyRelu kink`).toBeDefined();
    expect(Number.isFinite(analytic), `${name}: analytic derivative`).toBe(true);
    // A derivative can be exactly zero (a bias feeding only leakyRelu has no second-order effect);
    // the floor keeps float32 noise of such a finite difference from failing the check.
    const floor = 1e-5 * Math.abs(penaltyValue);
    expect(
      Math.abs(analytic - numeric!),
      `${name}: analytic ${analytic} vs finite difference ${numeric}`,
    ).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(analytic), Math.abs(numeric!)) + floor);
    largestDerivative = Math.max(largestDerivative, Math.abs(analytic));
    if (Math.abs(analytic) > floor) {
      const relative = Math.abs(analytic - numeric!) / Math.max(Math.abs(analytic), Math.abs(numeric!));
      worstRelative = Math.max(worstRelative, relative);
    }
  });
  expect(largestDerivative, 'every derivative vanishes: the check would be vacuous').toBeGreaterThan(0);
  tf.dispose(gradients);
  expect(tf.memory().numTensors, 'tensors leaked').toBe(tensorsBefore);
}

/** Worst relative disagreement with finite differences, printed for the record. */
let worstRelative = 0;
afterAll(() =>
  console.log(`second-order gradients vs finite differences: worst ${worstRelative.toExponential(2)}`),
);

/** leakyRelu(h, 0.2) that reports its pre-activation. */
function observedLeakyRelu(h: tf.Tensor, observe: Observe): tf.Tensor {
  observe(h);
  return leakyRelu(h, 0.2);
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
    const discriminator = (p: Parameters, x: tf.Tensor, s: tf.Tensor, observe: Observe): tf.Tensor => {
      const block = observedLeakyRelu(
        tf.conv2d(
          observedLeakyRelu(
            tf.conv2d(x as tf.Tensor4D, p['conv1'] as tf.Tensor4D, 1, 'same'),
            observe,
          ) as tf.Tensor4D,
          p['conv2'] as tf.Tensor4D,
          1,
          'same',
        ),
        observe,
      );
      const shortcut = tf.add(
        tf.conv2d(x as tf.Tensor4D, p['shortcut'] as tf.Tensor4D, 1, 'valid'),
        p['shortcutBias']!,
      );
      const out = tf.add(shortcut, tf.mul(p['gamma']!, block));
      const tiled = tf.tile(tf.reshape(s, [batch, 1, 1, sentenceSize]), [1, size, size, 1]);
      const hidden = observedLeakyRelu(
        tf.conv2d(
          tf.concat([out as tf.Tensor4D, tiled as tf.Tensor4D], 3),
          p['head'] as tf.Tensor4D,
          1,
          'valid',
        ),
        observe,
      );
      return tf.conv2d(hidden as tf.Tensor4D, p['head2'] as tf.Tensor4D, 1, 'valid');
    };
    const penalty: Penalty = (p, observe) =>
      tf.tidy(() => {
        const inputGradients = tf.grads((x: tf.Tensor, s: tf.Tensor) =>
          tf.sum(discriminator(p, x, s, observe)),
        )([features, sentence]);
        return maGradientPenalty(inputGradients);
      });
    expectMatchesFiniteDifferences(penalty, parameters, random);
    tf.dispose([features, sentence, ...Object.values(parameters)]);
  });

  test('strided and depthwise convs, sigmoid, tanh, exp, softmax, resizes and average pooling inside a gradient penalty', () => {
    const random = new SeededRandom(12);
    const image = randomTensor(random, [2, 8, 7, 3]);
    const parameters: Parameters = {
      strided: randomTensor(random, [4, 4, 3, 4], 0.3),
      depthwise: randomTensor(random, [3, 3, 4, 2], 0.4),
      pointwise: randomTensor(random, [1, 1, 8, 2], 0.4),
    };
    const network = (p: Parameters, x: tf.Tensor): tf.Tensor => {
      let h = tf.conv2d(x as tf.Tensor4D, p['strided'] as tf.Tensor4D, 2, 'same');
      h = tf.sigmoid(tf.depthwiseConv2d(h as tf.Tensor4D, p['depthwise'] as tf.Tensor4D, 1, 'same'));
      h = tf.image.resizeNearestNeighbor(h as tf.Tensor4D, [8, 8]);
      h = tf.image.resizeBilinear(h as tf.Tensor4D, [6, 5], false, true);
      h = tf.tanh(tf.avgPool(h as tf.Tensor4D, 2, 1, 'valid'));
      h = tf.conv2d(h as tf.Tensor4D, p['pointwise'] as tf.Tensor4D, 1, 'valid');
      return tf.mul(tf.softmax(h), tf.exp(tf.mul(h, 0.5)));
    };
    const penalty: Penalty = (p) =>
      tf.tidy(() => maGradientPenalty([tf.grad((x: tf.Tensor) => tf.sum(tf.square(network(p, x))))(image)]));
    expectMatchesFiniteDifferences(penalty, parameters, random);
    tf.dispose([image, ...Object.values(parameters)]);
  });

  test('a loss on conv filter gradients differentiates with respect to the input (Conv2DBackpropFilter gradient)', () => {
    const random = new SeededRandom(13);
    const filter = randomTensor(random, [3, 3, 2, 3], 0.5);
    const depthwiseFilter = randomTensor(random, [3, 3, 2, 2], 0.5);
    const parameters: Parameters = { image: randomTensor(random, [2, 6, 5, 2]) };
    const penalty: Penalty = (p) =>
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
