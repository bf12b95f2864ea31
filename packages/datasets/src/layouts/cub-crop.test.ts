import { describe, expect, it } from 'vitest';
import { cubCropBox } from './cub-crop';

describe('cubCropBox', () => {
  it('matches the official get_imgs arithmetic (values from the Python code)', () => {
    // [x1, y1, x2, y2] printed by the official formula in Python for each (bbox, width, height).
    const cases: [[number, number, number, number], number, number, [number, number, number, number]][] = [
      [[60, 10, 30, 50], 100, 80, [38, 0, 100, 72]],
      [[10.5, 20, 33.3, 41.7], 120, 90, [0, 9, 58, 71]],
      [[0, 0, 120, 90], 120, 90, [0, 0, 120, 90]],
      [[20, 15, 24, 18], 64, 48, [14, 6, 50, 42]],
    ];
    for (const [box, width, height, [x1, y1, x2, y2]] of cases) {
      expect(cubCropBox(box, width, height)).toEqual({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 });
    }
  });
});
