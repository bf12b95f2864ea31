import type { RgbImage } from '../types';

/** Where to cut the `size x size` window and whether to mirror it. */
export interface CropPlacement {
  left: number;
  top: number;
  flip: boolean;
}

/** Python's `round` (half to even), as torchvision's `CenterCrop` uses. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** torchvision `RandomCrop(size)` offsets from two uniforms: `floor(u * (extent - size + 1))`. */
export function randomCropPlacement(
  image: RgbImage,
  size: number,
  uniformX: number,
  uniformY: number,
  flip: boolean,
): CropPlacement {
  return {
    left: Math.floor(uniformX * (image.width - size + 1)),
    top: Math.floor(uniformY * (image.height - size + 1)),
    flip,
  };
}

/** torchvision `CenterCrop(size)` offsets: `int(round((extent - size) / 2))`. */
export function centreCropPlacement(image: RgbImage, size: number): CropPlacement {
  return {
    left: roundHalfEven((image.width - size) / 2),
    top: roundHalfEven((image.height - size) / 2),
    flip: false,
  };
}

/**
 * Copies the `size x size` window of `image` at `placement` (mirrored left-right when `flip`) into
 * `target` at `offset` as floats in [-1, 1] (`byte / 127.5 - 1`, i.e. ToTensor then Normalize(0.5, 0.5)),
 * channels last.
 */
export function writeCropNormalised(
  image: RgbImage,
  size: number,
  placement: CropPlacement,
  target: Float32Array,
  offset: number,
): void {
  const { left, top, flip } = placement;
  if (left < 0 || top < 0 || left + size > image.width || top + size > image.height) {
    throw new RangeError(
      `crop ${size}x${size} at (${left}, ${top}) does not fit in a ${image.width}x${image.height} image`,
    );
  }
  const source = image.data;
  let out = offset;
  for (let y = 0; y < size; y++) {
    const row = ((top + y) * image.width + left) * 3;
    for (let x = 0; x < size; x++) {
      const pixel = row + (flip ? size - 1 - x : x) * 3;
      target[out++] = source[pixel]! / 127.5 - 1;
      target[out++] = source[pixel + 1]! / 127.5 - 1;
      target[out++] = source[pixel + 2]! / 127.5 - 1;
    }
  }
}
