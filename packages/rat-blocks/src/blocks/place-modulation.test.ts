import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, trainableVariables } from '../core/param-tree';
import { affineForward, affineModulation, initAffine } from './affine-kinds';
import { gBlockForward, initGBlock } from './g-block';
import {
  exportPlaceModulationToStateDict,
  gBlockPlacesTensors,
  initPlaceModulation,
  loadPlaceModulationFromStateDict,
  type PlaceModulationParams,
  placeModulationConfig,
  placeModulationForward,
} from './place-modulation';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZES = { readWidth: 3, inChannels: 4, outChannels: 2, gain: 2.5 };
const COND_DIM = 5;

/** A place modulation with random heads, drawn from `seed`. */
function randomParams(seed: number): PlaceModulationParams {
  const rng = new SeededRandom(seed);
  const params = initPlaceModulation(SIZES);
  for (const head of params.heads) {
    const [rows, columns] = head.weight.shape as [number, number];
    (head.weight as tf.Variable).assign(tf.tensor2d(rng.normalArray(rows * columns), [rows, columns]));
    (head.bias as tf.Variable).assign(tf.tensor1d(rng.normalArray(columns)));
  }
  return params;
}

describe('place modulation', () => {
  const rng = new SeededRandom(1);
  const read = () => tf.tensor4d(rng.normalArray(2 * 4 * 4 * SIZES.readWidth), [2, 4, 4, SIZES.readWidth]);

  it('adds scale and shift per place to an affine: (gamma + scale) x + beta + shift', () => {
    const affine = initAffine('conditional', { condDim: COND_DIM, channels: SIZES.inChannels }, rng);
    const x = tf.tensor4d(rng.normalArray(2 * 4 * 4 * SIZES.inChannels), [2, 4, 4, SIZES.inChannels]);
    const cond = tf.tensor2d(rng.normalArray(2 * COND_DIM), [2, COND_DIM]);
    const params = randomParams(2);
    const places = placeModulationForward(params, read());
    const place = places.fuse1[1];
    expect(place.scale.shape).toEqual([2, 4, 4, SIZES.inChannels]);
    const before = tf.memory().numTensors;
    const out = affineForward(affine, x, cond, { place });
    expect(tf.memory().numTensors).toBe(before + 1);
    const expected = tf.tidy(() => {
      const { gamma, beta } = affineModulation(affine, cond);
      const channels = [-1, 1, 1, SIZES.inChannels];
      return tf.add(
        tf.mul(tf.add(tf.reshape(gamma, channels), place.scale), x),
        tf.add(tf.reshape(beta, channels), place.shift),
      );
    });
    const wanted = expected.dataSync();
    out.dataSync().forEach((value, i) => {
      expect(value).toBeCloseTo(wanted[i]!, 5);
    });
    const wrong = tf.zeros([2, 2, 2, SIZES.inChannels]) as tf.Tensor4D;
    expect(() => affineForward(affine, x, cond, { place: { scale: wrong, shift: wrong } })).toThrow(
      'affine: the place modulation must be [2, 4, 4, 4] as x, got [2, 2, 2, 4]',
    );
    tf.dispose([x, cond, out, expected, wrong, ...gBlockPlacesTensors(places)]);
    disposeParams(affine);
    disposeParams(params);
  });

  it('starts at zero: a G-block draws as without it, and its first gradient reaches the heads', () => {
    const block = initGBlock(
      {
        inChannels: SIZES.inChannels,
        outChannels: SIZES.outChannels,
        condDim: COND_DIM,
        size: 4,
        convKind: 'plain',
      },
      rng,
    );
    const params = initPlaceModulation(SIZES);
    expect(placeModulationConfig(params)).toEqual(SIZES);
    const x = tf.tensor4d(rng.normalArray(2 * 2 * 2 * SIZES.inChannels), [2, 2, 2, SIZES.inChannels]);
    const cond = tf.tensor2d(rng.normalArray(2 * COND_DIM), [2, COND_DIM]);
    const placeRead = read();
    const plain = gBlockForward(block, x, cond);
    const places = placeModulationForward(params, placeRead);
    const placed = gBlockForward(block, x, cond, { places });
    expect(Array.from(placed.dataSync())).toEqual(Array.from(plain.dataSync()));
    const { value, grads } = tf.variableGrads(() => {
      const modulations = placeModulationForward(params, placeRead);
      return tf.sum(tf.square(gBlockForward(block, x, cond, { places: modulations }))) as tf.Scalar;
    }, trainableVariables(params));
    for (const head of params.heads) {
      const norm = tf.tidy(() => tf.norm(grads[(head.weight as tf.Variable).name]!).dataSync()[0]!);
      expect(norm).toBeGreaterThan(0);
    }
    tf.dispose([
      value,
      ...Object.values(grads),
      x,
      cond,
      placeRead,
      plain,
      placed,
      ...gBlockPlacesTensors(places),
    ]);
    disposeParams(block);
    disposeParams(params);
  });

  it('modulates places differently where the read differs, which a per-channel affine cannot', () => {
    const affine = initAffine('conditional', { condDim: COND_DIM, channels: SIZES.inChannels }, rng);
    const uniform = tf.ones([1, 4, 4, SIZES.inChannels]) as tf.Tensor4D;
    const cond = tf.tensor2d(rng.normalArray(COND_DIM), [1, COND_DIM]);
    const params = randomParams(3);
    const placeRead = tf.tensor4d(rng.normalArray(16 * SIZES.readWidth), [1, 4, 4, SIZES.readWidth]);
    const places = placeModulationForward(params, placeRead);
    const plain = affineForward(affine, uniform, cond).arraySync()[0]!.flat();
    const placed = affineForward(affine, uniform, cond, { place: places.fuse1[0] }).arraySync()[0]!.flat();
    expect(plain.every((pixel) => pixel.every((v, c) => v === plain[0]![c]))).toBe(true);
    expect(placed.some((pixel) => pixel.some((v, c) => Math.abs(v - placed[0]![c]!) > 1e-3))).toBe(true);
    tf.dispose([uniform, cond, placeRead, ...gBlockPlacesTensors(places)]);
    disposeParams(affine);
    disposeParams(params);
  });

  it('round-trips through a PyTorch-layout state dict and rejects a read of another width', () => {
    const params = randomParams(4);
    const dict = exportPlaceModulationToStateDict(params, 'places.2.');
    expect(Object.fromEntries(Object.entries(dict).map(([key, tensor]) => [key, tensor.shape]))).toEqual({
      'places.2.fuse1_affine0.weight': [8, 3],
      'places.2.fuse1_affine0.bias': [8],
      'places.2.fuse1_affine1.weight': [8, 3],
      'places.2.fuse1_affine1.bias': [8],
      'places.2.fuse2_affine0.weight': [4, 3],
      'places.2.fuse2_affine0.bias': [4],
      'places.2.fuse2_affine1.weight': [4, 3],
      'places.2.fuse2_affine1.bias': [4],
    });
    const loaded = loadPlaceModulationFromStateDict(dict, 'places.2.', { gain: SIZES.gain });
    expect(placeModulationConfig(loaded)).toEqual(SIZES);
    const placeRead = read();
    const [a, b] = [placeModulationForward(params, placeRead), placeModulationForward(loaded, placeRead)];
    expect(Array.from(b.fuse2[1].shift.dataSync())).toEqual(Array.from(a.fuse2[1].shift.dataSync()));
    expect(() => initPlaceModulation({ ...SIZES, gain: 0 })).toThrow(
      'initPlaceModulation: gain must be a positive number, got 0',
    );
    const wrong = tf.zeros([1, 4, 4, SIZES.readWidth + 1]);
    expect(() => placeModulationForward(params, wrong)).toThrow(
      'placeModulationForward: read must be [batch, height, width, 3], got [1, 4, 4, 4]',
    );
    tf.dispose([
      ...Object.values(dict),
      placeRead,
      wrong,
      ...gBlockPlacesTensors(a),
      ...gBlockPlacesTensors(b),
    ]);
    disposeParams(params);
    disposeParams(loaded);
  });
});
