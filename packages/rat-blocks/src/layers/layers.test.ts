import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionalAffineLayer } from './conditional-affine-layer';
import { RatLayerChain } from './rat-layer-chain';
import { RatModulationLayer } from './rat-modulation-layer';
import { registerRatBlocksLayers } from './register-layers';
import { ShuffleAttentionLayer } from './shuffle-attention-layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts) throw new Error('nothing saved');
  registerRatBlocksLayers();
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

function expectSameOutputs(a: tf.Tensor, b: tf.Tensor): void {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
}

describe('tf.layers wrappers', () => {
  it('shuffle attention in a tf.sequential model saves and loads to identical outputs', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 32, kernelSize: 3, padding: 'same' }),
        new ShuffleAttentionLayer({ groups: 8 }),
      ],
    });
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1);
    const before = model.predict(x) as tf.Tensor;
    const loaded = await saveAndLoad(model);
    expect(loaded.layers[1]!.getClassName()).toBe('RatBlocksShuffleAttention');
    const after = loaded.predict(x) as tf.Tensor;
    expectSameOutputs(after, before);
    tf.dispose([x, before, after]);
    model.dispose();
    loaded.dispose();
  });

  it('a tf.model with a shared RAT cell trains a few steps, saves and loads back to identical outputs', async () => {
    const imageInput = tf.input({ shape: [8, 8, 4], name: 'image' });
    const condInput = tf.input({ shape: [6], name: 'cond' });
    const noiseInput = tf.input({ shape: [3], name: 'noise' });
    const rat = new RatLayerChain({ cond: condInput, noise: noiseInput, hiddenSize: 5, seed: 7 });
    let h = tf.layers
      .conv2d({ filters: 16, kernelSize: 3, padding: 'same' })
      .apply(imageInput) as tf.SymbolicTensor;
    h = rat.modulate(h);
    h = new ShuffleAttentionLayer().apply(h) as tf.SymbolicTensor;
    h = new ConditionalAffineLayer({ seed: 3 }).apply([h, condInput]) as tf.SymbolicTensor;
    h = rat.modulate(h);
    const out = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [imageInput, condInput, noiseInput], outputs: out });
    expect(rat.stepCount).toBe(2);
    // One cell shared by both steps: its four weights appear once.
    expect(model.weights.filter((w) => w.name.includes('rat_cell'))).toHaveLength(4);

    const images = tf.randomNormal([8, 8, 8, 4], 0, 1, 'float32', 1);
    const conds = tf.randomNormal([8, 6], 0, 1, 'float32', 2);
    const noises = tf.randomNormal([8, 3], 0, 1, 'float32', 3);
    const targets = tf.randomNormal([8, 8, 8, 2], 0, 1, 'float32', 4);
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    const cellBefore = model.getLayer('rat_cell').getWeights()[0]!.dataSync().slice();
    const history = await model.fit([images, conds, noises], targets, {
      epochs: 4,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
    });
    const losses = history.history['loss'] as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const cellAfter = model.getLayer('rat_cell').getWeights()[0]!.dataSync();
    expect(cellAfter.some((value, i) => value !== cellBefore[i])).toBe(true);

    const tensorsBefore = tf.memory().numTensors;
    const prediction = model.predict([images, conds, noises]) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(tensorsBefore + 1);
    const loaded = await saveAndLoad(model);
    const reloaded = loaded.predict([images, conds, noises]) as tf.Tensor;
    expectSameOutputs(reloaded, prediction);
    // Paper-mode RAT: each sample is independent of the rest of the batch.
    const single = loaded.predict([images.slice(3, 1), conds.slice(3, 1), noises.slice(3, 1)]) as tf.Tensor;
    const fromBatch = prediction.slice(3, 1);
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(single, fromBatch))).dataSync()[0]!);
    expect(gap).toBeLessThan(1e-5);
    tf.dispose([images, conds, noises, targets, prediction, reloaded, single, fromBatch]);
    model.dispose();
    loaded.dispose();
  });

  it('reports wrong inputs with the layer name and its condition input', () => {
    const x = tf.zeros([1, 2, 2, 4]);
    expect(() => new ConditionalAffineLayer({ name: 'affine_under_test' }).apply(x)).toThrow(
      'RatBlocksConditionalAffine: expected 2 inputs [x [batch, height, width, channels], cond [batch, condDim]]',
    );
    expect(() => new RatModulationLayer().apply(x)).toThrow(
      'RatBlocksRatModulation: expected 2 inputs [x [batch, height, width, channels], h [batch, hidden]]',
    );
    const unknownCondition = tf.input({ shape: [] as number[] });
    const image = tf.input({ shape: [2, 2, 4] });
    expect(() => new RatModulationLayer().apply([image, unknownCondition])).toThrow(
      'RatBlocksRatModulation: the last dimension of h must be known',
    );
    x.dispose();
  });

  it('starts as the identity and computes gamma(condition) * x + beta(condition), per layer kind', () => {
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 1);
    const condition = tf.randomNormal([2, 5], 0, 1, 'float32', 2);
    for (const layer of [new ConditionalAffineLayer({ seed: 1 }), new RatModulationLayer({ seed: 1 })]) {
      const initial = layer.apply([x, condition]) as tf.Tensor;
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(initial, x)))).dataSync()[0]).toBe(0);
      // Weights: gamma kernel1, bias1, kernel2, bias2, then beta's; the last layers start at W = 0.
      const weights = layer.getWeights();
      expect(weights.map((weight) => weight.shape)).toEqual([
        [5, 4],
        [4],
        [4, 4],
        [4],
        [5, 4],
        [4],
        [4, 4],
        [4],
      ]);
      const biases = [tf.fill([4], 2), tf.fill([4], 0.5)];
      layer.setWeights([...weights.slice(0, 3), biases[0]!, ...weights.slice(4, 7), biases[1]!]);
      tf.dispose(biases);
      const scaled = layer.apply([x, condition]) as tf.Tensor;
      const expected = tf.add(tf.mul(x, 2), 0.5);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(scaled, expected)))).dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([initial, scaled, expected]);
    }
    tf.dispose([x, condition]);
  });
});
