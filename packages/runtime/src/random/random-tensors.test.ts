import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { randomNormalTensor, randomUniformTensor } from './random-tensors';
import { SeededRandom } from './seeded-random';

afterAll(async () => {
  await tf.setBackend('cpu');
});

async function valuesOn(backend: string, make: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  await tf.ready();
  const before = tf.memory().numTensors;
  const tensor = make();
  const values = (await tensor.data()) as Float32Array;
  tensor.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

describe('randomNormalTensor / randomUniformTensor', () => {
  it('give bit-identical values on cpu and wasm for the same seed', async () => {
    const shape = [4, 100];
    const normalCpu = await valuesOn('cpu', () => randomNormalTensor(new SeededRandom(1), shape));
    const normalWasm = await valuesOn('wasm', () => randomNormalTensor(new SeededRandom(1), shape));
    expect(normalWasm).toEqual(normalCpu);
    expect(normalCpu).toEqual(new SeededRandom(1).normalArray(400));
    const uniformCpu = await valuesOn('cpu', () =>
      randomUniformTensor(new SeededRandom(2), shape, { min: -1, max: 1 }),
    );
    const uniformWasm = await valuesOn('wasm', () =>
      randomUniformTensor(new SeededRandom(2), shape, { min: -1, max: 1 }),
    );
    expect(uniformWasm).toEqual(uniformCpu);
  });

  it('have the requested shape, dtype, mean and spread', async () => {
    await tf.setBackend('cpu');
    const rng = new SeededRandom(3);
    const noise = randomNormalTensor(rng, [50, 100], { mean: 2, stddev: 0.5 });
    expect(noise.shape).toEqual([50, 100]);
    expect(noise.dtype).toBe('float32');
    const { mean, variance } = tf.tidy(() => {
      const moments = tf.moments(noise);
      return { mean: moments.mean.dataSync()[0]!, variance: moments.variance.dataSync()[0]! };
    });
    expect(Math.abs(mean - 2)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(variance) - 0.5)).toBeLessThan(0.03);
    noise.dispose();
    const scalar = randomUniformTensor(rng, []);
    expect(scalar.shape).toEqual([]);
    scalar.dispose();
    expect(() => randomNormalTensor(rng, [2, -1])).toThrow(
      /randomNormalTensor: shape must be non-negative integers, got \[2, -1\]/,
    );
  });

  it('advance the generator, so successive draws differ and resume from a saved state', async () => {
    await tf.setBackend('cpu');
    const rng = new SeededRandom(4);
    const saved = rng.getState();
    const first = randomNormalTensor(rng, [8]);
    const second = randomNormalTensor(rng, [8]);
    expect(first.dataSync()).not.toEqual(second.dataSync());
    rng.setState(saved);
    const again = randomNormalTensor(rng, [8]);
    expect(again.dataSync()).toEqual(first.dataSync());
    tf.dispose([first, second, again]);
  });
});
