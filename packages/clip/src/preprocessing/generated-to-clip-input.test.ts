import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD } from './clip-normalization';
import { type ClipInputQuirk, generatedImagesToClipInput } from './generated-to-clip-input';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Undo mean/std so the affine map applied to x can be read off. */
function unnormalize(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.tensor1d([...CLIP_STD])).add(tf.tensor1d([...CLIP_MEAN]));
}

describe('generatedImagesToClipInput', () => {
  it.each([
    ['ratlip', 0.25, 0.75],
    ['standard', 0.5, 0.5],
  ] as [ClipInputQuirk, number, number][])(
    '%s quirk maps x to %f x + %f before mean/std',
    (quirk, scale, shift) => {
      tf.tidy(() => {
        const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
        const out = generatedImagesToClipInput(x, { imageSize: 8, quirk });
        const error = unnormalize(out).sub(x.mul(scale).add(shift)).abs().max().dataSync()[0]!;
        expect(error).toBeLessThan(1e-6);
      });
    },
  );

  it('defaults to the reference quirk', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([1, 4, 4, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const difference = generatedImagesToClipInput(x, { imageSize: 4 })
        .sub(generatedImagesToClipInput(x, { imageSize: 4, quirk: 'ratlip' }))
        .abs()
        .max();
      expect(difference.dataSync()[0]).toBe(0);
    });
  });

  it("resizes with PyTorch's legacy nearest rule, source = floor(target * in / out), on each axis", () => {
    tf.tidy(() => {
      const [height, width, size] = [5, 7, 9];
      const x = tf
        .range(0, height * width * 3)
        .reshape([1, height, width, 3])
        .div(height * width * 3) as tf.Tensor4D;
      const identity = { quirk: 'standard' as const, mean: [0, 0, 0], std: [1, 1, 1], imageSize: size };
      const out = generatedImagesToClipInput(x, identity).arraySync() as number[][][][];
      const unit = x.mul(0.5).add(0.5).arraySync() as number[][][][];
      for (let row = 0; row < size; row++) {
        for (let column = 0; column < size; column++) {
          const source = unit[0]![Math.floor((row * height) / size)]![Math.floor((column * width) / size)]!;
          expect(out[0]![row]![column]).toEqual(source);
        }
      }
    });
  });

  it('passes gradients to the generator output and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([1, 5, 5, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const gradient = tf.grad((input: tf.Tensor) =>
      generatedImagesToClipInput(input as tf.Tensor4D, { imageSize: 10 }).sum(),
    )(x);
    // Each source pixel is repeated 4 times, each time scaled by 0.25 / std.
    const expected = tf.tidy(() =>
      tf
        .tensor1d([...CLIP_STD])
        .reciprocal()
        .mul(4 * 0.25)
        .broadcastTo([1, 5, 5, 3]),
    );
    expect(tf.tidy(() => gradient.sub(expected).abs().max().dataSync()[0]!)).toBeLessThan(1e-5);
    tf.dispose([x, gradient, expected]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names bad arguments', () => {
    tf.tidy(() => {
      expect(() => generatedImagesToClipInput(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D)).toThrow(
        /images must be \[batch, height, width, 3\]/,
      );
      expect(() =>
        generatedImagesToClipInput(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, {
          quirk: 'other' as ClipInputQuirk,
        }),
      ).toThrow(/unknown quirk 'other'/);
    });
  });
});
