/** An 8-bit RGB image, row-major, channels interleaved: `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  /** Pixels per row. */
  width: number;
  /** Rows. */
  height: number;
  /** `height * width * 3` bytes. */
  data: Uint8Array;
}

/** Throws naming `argument` unless `image` is a well-formed {@link RgbImage}. */
export function checkRgbImage(image: RgbImage, argument: string): void {
  const { width, height, data } = image ?? ({} as RgbImage);
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new Error(`${argument}: width and height must be positive integers, got ${width} x ${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new Error(
      `${argument}: data must be a Uint8Array of height * width * 3 = ${width * height * 3} bytes, got ${data?.length}`,
    );
  }
}

/**
 * An {@link RgbImage} from interleaved 8-bit pixels with 1 (grey), 3 (RGB) or 4 (RGBA) channels, as
 * PIL's `convert('RGB')` does: grey is repeated, alpha dropped.
 * @param data `height * width * channels` bytes (e.g. canvas `ImageData.data` with 4 channels).
 */
export function toRgbImage(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): RgbImage {
  if (![1, 3, 4].includes(channels))
    throw new Error(`toRgbImage: channels must be 1, 3 or 4, got ${channels}`);
  if (data.length !== width * height * channels) {
    throw new Error(
      `toRgbImage: expected height * width * channels = ${width * height * channels} bytes, got ${data.length}`,
    );
  }
  const out = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    for (let c = 0; c < 3; c++) out[pixel * 3 + c] = data[pixel * channels + (channels === 1 ? 0 : c)]!;
  }
  return { width, height, data: out };
}
