import type { CropBox } from '../types';

/** A CUB bounding box as in `bounding_boxes.txt`: `[x, y, width, height]` in pixels. */
export type BoundingBox = readonly [number, number, number, number];

/**
 * The official CUB-200-2011 crop (DF-GAN/GALIP/RATLIP `get_imgs`): a square of half-side
 * `int(0.75 * max(w, h))` around the box centre `(int((2x + w) / 2), int((2y + h) / 2))`, clipped to
 * the image, so about 1.5x the box. Python's `int()` truncation is reproduced exactly.
 *
 * @param box `[x, y, width, height]` from `bounding_boxes.txt`.
 * @param width image width in pixels; @param height image height in pixels.
 */
export function cubCropBox(box: BoundingBox, width: number, height: number): CropBox {
  const [x, y, w, h] = box;
  const radius = Math.trunc(Math.max(w, h) * 0.75);
  const centreX = Math.trunc((2 * x + w) / 2);
  const centreY = Math.trunc((2 * y + h) / 2);
  const top = Math.max(0, centreY - radius);
  const bottom = Math.min(height, centreY + radius);
  const left = Math.max(0, centreX - radius);
  const right = Math.min(width, centreX + radius);
  return { left, top, width: right - left, height: bottom - top };
}
