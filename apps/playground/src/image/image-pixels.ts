/**
 * One image of a batch as RGBA bytes for `ImageData`: [-1, 1] maps to 0..255 by
 * `round((x + 1) * 127.5)` after clamping, alpha 255.
 *
 * @param values pixels `[count, height, width, 3]`, row-major.
 * @param index which image, 0-based.
 * @returns `height * width * 4` bytes.
 * @throws when `values` does not hold `index + 1` images of `height x width x 3`.
 */
export function imageToRgba(
  values: Float32Array,
  index: number,
  width: number,
  height: number,
): Uint8ClampedArray<ArrayBuffer> {
  const pixels = width * height;
  const start = index * pixels * 3;
  if (!Number.isInteger(index) || index < 0 || start + pixels * 3 > values.length) {
    throw new Error(
      `imageToRgba: image ${index} of ${width}x${height}x3 is outside the ${values.length} values given`,
    );
  }
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let pixel = 0; pixel < pixels; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = Math.min(1, Math.max(-1, values[start + pixel * 3 + channel]!));
      rgba[pixel * 4 + channel] = Math.round((value + 1) * 127.5);
    }
    rgba[pixel * 4 + 3] = 255;
  }
  return rgba;
}
