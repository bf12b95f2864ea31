/** Pixel statistics the e2e test asserts on; images are `[count, height, width, 3]` values in [-1, 1]. */

/** Values of image `index` of a batch of `count`. */
export function imageValues(values: ArrayLike<number>, index: number, count: number): number[] {
  const size = values.length / count;
  return Array.from({ length: size }, (_, offset) => values[index * size + offset]!);
}

/** Standard deviation of an image's values: about 0 for a blank (constant) image. */
export function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

/** Mean absolute difference of two images of the same size. */
export function meanAbsoluteDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`images differ in size: ${a.length} vs ${b.length} values`);
  return a.reduce((sum, value, index) => sum + Math.abs(value - b[index]!), 0) / a.length;
}

/** Largest absolute difference of two equally long arrays, and where it is. */
export function maxAbsoluteDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { value: number; index: number } {
  if (a.length !== b.length) throw new Error(`arrays differ in length: ${a.length} vs ${b.length}`);
  let value = 0;
  let index = 0;
  for (let i = 0; i < a.length; i++) {
    const difference = Math.abs(a[i]! - b[i]!);
    if (difference > value || Number.isNaN(difference)) {
      value = difference;
      index = i;
      if (Number.isNaN(difference)) break;
    }
  }
  return { value, index };
}
