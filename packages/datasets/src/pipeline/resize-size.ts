/**
 * The size torchvision's `Resize(shortSide)` gives a `width x height` image: the short side becomes
 * `shortSide` and the long side `floor(shortSide * long / short)`.
 */
export function resizedSize(
  width: number,
  height: number,
  shortSide: number,
): { width: number; height: number } {
  if (!Number.isInteger(shortSide) || shortSide < 1) {
    throw new RangeError(`resizeShortSide must be a positive integer, got ${shortSide}`);
  }
  if (width <= height) return { width: shortSide, height: Math.floor((shortSide * height) / width) };
  return { width: Math.floor((shortSide * width) / height), height: shortSide };
}

/** The official pre-crop size for a crop of `imageSize`: `int(imageSize * 76 / 64)`, 304 for 256. */
export function referenceResizeShortSide(imageSize: number): number {
  return Math.floor((imageSize * 76) / 64);
}
