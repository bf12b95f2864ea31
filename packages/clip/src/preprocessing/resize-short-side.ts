import { resizeBicubicPil } from './pil-bicubic-resize';
import { checkRgbImage, type RgbImage } from './rgb-image';

/**
 * Output size of torchvision's `Resize(size)` with an int: the short side becomes `size`, the long side
 * `trunc(size * long / short)`.
 * @returns `[width, height]` in pixels.
 */
export function shortSideSize(width: number, height: number, size: number): [number, number] {
  if (width <= height) return [size, Math.trunc((size * height) / width)];
  return [Math.trunc((size * width) / height), size];
}

/** torchvision `Resize(size, BICUBIC)` on a PIL image: the short side to `size` pixels, PIL bicubic. */
export function resizeShortSide(image: RgbImage, size: number): RgbImage {
  checkRgbImage(image, 'resizeShortSide: image');
  const [width, height] = shortSideSize(image.width, image.height, size);
  return resizeBicubicPil(image, width, height);
}
