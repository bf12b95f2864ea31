import { describe, expect, it } from 'vitest';
import { imageToRgba } from './image-pixels';

describe('imageToRgba', () => {
  it('maps [-1, 1] to 0..255 with clamping and opaque alpha', () => {
    // Two 1 x 2 images; the second is picked.
    const values = Float32Array.from([0, 0, 0, 0, 0, 0, -1, 0, 1, -2, 2, 0.5]);
    expect([...imageToRgba(values, 1, 2, 1)]).toEqual([0, 128, 255, 255, 0, 255, 191, 255]);
  });

  it('names the image that is out of range', () => {
    expect(() => imageToRgba(new Float32Array(12), 2, 2, 1)).toThrow(
      'image 2 of 2x1x3 is outside the 12 values',
    );
  });
});
