import { checkRgbImage, type RgbImage } from './rgb-image';

/** Python's `round`: halves go to the even neighbour. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * torchvision `CenterCrop(size)`: the centred `size x size` window, its top-left corner at
 * `round((height - size) / 2), round((width - size) / 2)` with Python's round-half-to-even.
 * @param size crop side in pixels; at most the image's width and height.
 */
export function centerCrop(image: RgbImage, size: number): RgbImage {
  checkRgbImage(image, 'centerCrop: image');
  if (!Number.isInteger(size) || size <= 0 || size > image.width || size > image.height) {
    throw new Error(
      `centerCrop: size must be an integer in [1, ${Math.min(image.width, image.height)}], got ${size}`,
    );
  }
  const top = roundHalfEven((image.height - size) / 2);
  const left = roundHalfEven((image.width - size) / 2);
  const data = new Uint8Array(size * size * 3);
  for (let row = 0; row < size; row++) {
    const from = ((top + row) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + size * 3), row * size * 3);
  }
  return { width: size, height: size, data };
}
