import { SeededRandom } from '@ratlip/runtime';
import { describe, expect, it } from 'vitest';
import { type MultiplyTransposedOptions, multiplyTransposed, transpose } from './matrix-multiply';
import { loadSimdKernel } from './simd-kernel';

describe('multiplyTransposed', () => {
  const random = new SeededRandom(21);
  const fill = (length: number) => Float64Array.from({ length }, () => random.normal());

  it('has the WebAssembly SIMD kernel on Node 20', () => {
    expect(loadSimdKernel()).not.toBeNull();
  });

  // Small shapes take the JavaScript kernel, large ones the SIMD kernel; odd sizes test the edges.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [5, 7, 3],
    [9, 9, 300],
    [37, 41, 29],
    [64, 64, 513],
    [70, 66, 258],
  ];
  const variants: Array<[string, MultiplyTransposedOptions]> = [
    ['overwrite', {}],
    ['accumulate, alpha -0.5', { accumulate: true, alpha: -0.5 }],
    ['lower triangle', { triangle: 'lower' }],
    ['upper triangle, accumulate', { triangle: 'upper', accumulate: true, alpha: 2 }],
  ];
  for (const [rows, cols, inner] of shapes) {
    it.each(variants)(`${rows}x${cols}x${inner} %s matches the naive product`, (_name, options) => {
      const square = options.triangle !== undefined;
      const n = square ? rows : cols;
      const lda = inner + 3;
      const a = fill(2 + rows * lda);
      const b = fill(1 + n * (inner + 1));
      const c = fill(5 + rows * (n + 2));
      const before = Float64Array.from(c);
      multiplyTransposed(
        rows,
        n,
        inner,
        { data: a, offset: 2, stride: lda },
        { data: b, offset: 1, stride: inner + 1 },
        { data: c, offset: 5, stride: n + 2 },
        options,
      );
      const alpha = options.alpha ?? 1;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < n; j++) {
          const target = 5 + i * (n + 2) + j;
          if (options.triangle === 'lower' && j > i) continue;
          if (options.triangle === 'upper' && j < i) continue;
          let sum = 0;
          for (let k = 0; k < inner; k++) sum += a[2 + i * lda + k]! * b[1 + j * (inner + 1) + k]!;
          const expected = (options.accumulate ? before[target]! : 0) + alpha * sum;
          expect(Math.abs(c[target]! - expected)).toBeLessThan(
            1e-12 * (1 + Math.abs(expected)) * Math.sqrt(inner),
          );
        }
        // Padding columns between rows are never touched.
        for (let j = n; j < n + 2 && i < rows - 1; j++)
          expect(c[5 + i * (n + 2) + j]).toBe(before[5 + i * (n + 2) + j]);
      }
    });
  }

  it('transposes', () => {
    const m = Float64Array.from({ length: 6 }, (_, i) => i);
    expect(Array.from(transpose(m, 2, 3))).toEqual([0, 3, 1, 4, 2, 5]);
  });
});
