import type * as tf from '@tensorflow/tfjs';
import { type ImageRange, imageRange } from '../metrics/image-range';

/**
 * A square RGB image for the Shapes analyser: `data[(y * width + x) * 3 + c]`, values in
 * `[0, maxValue]`. A `@ratlip/datasets` `RgbImage` (bytes) is one as it is.
 */
export interface ShapesAnalysisImage {
  /** Pixels per row; Shapes images are square, so equal to `height`. */
  width: number;
  /** Rows. */
  height: number;
  /** `height * width * 3` values, rows top to bottom, channels interleaved. */
  data: ArrayLike<number>;
  /** The value of full intensity: 255 for bytes (default), 1 for [0, 1] floats. */
  maxValue?: number;
}

/** Smallest side the analyser accepts (the rasteriser's smallest). */
export const SHAPES_ANALYSIS_MIN_SIZE = 8;

/**
 * The image's pixels on the byte scale (0-255) as float32, checked.
 * @throws naming `argument` when the image is not square, too small or `data` has the wrong length.
 */
export function analysisPixels(image: ShapesAnalysisImage, argument: string): Float32Array {
  const { width, height, data } = image ?? ({} as ShapesAnalysisImage);
  if (!Number.isInteger(width) || width !== height || width < SHAPES_ANALYSIS_MIN_SIZE) {
    throw new Error(
      `${argument}: Shapes images are square with a side of at least ${SHAPES_ANALYSIS_MIN_SIZE} px, got ${width} x ${height}`,
    );
  }
  if (data?.length !== width * height * 3) {
    throw new Error(
      `${argument}: data must hold height * width * 3 = ${width * height * 3} values, got ${data?.length}`,
    );
  }
  const maxValue = image.maxValue ?? 255;
  if (!(maxValue > 0)) throw new Error(`${argument}: maxValue must be positive, got ${maxValue}`);
  const scale = 255 / maxValue;
  const pixels = new Float32Array(data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[i]! * scale;
  return pixels;
}

/**
 * Downloads a batch of images for the analyser.
 * @param images `[batch, size, size, 3]`.
 * @param range value range of `images`. Default `'minus-one-to-one'` (generator output; clamped).
 * @returns one [0, 1] image per batch row; `images` is not disposed.
 */
export async function shapesImagesFromTensor(
  images: tf.Tensor4D,
  range: ImageRange = 'minus-one-to-one',
): Promise<ShapesAnalysisImage[]> {
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new Error(
      `shapesImagesFromTensor: images must be [batch, size, size, 3], got [${images.shape.join(', ')}]`,
    );
  }
  const unit = imageRange(range).toUnit(images);
  let values: Float32Array;
  try {
    values = (await unit.data()) as Float32Array;
  } finally {
    unit.dispose();
  }
  const [batch, height, width] = images.shape;
  const stride = height * width * 3;
  return Array.from({ length: batch }, (_, i) => ({
    width,
    height,
    data: values.subarray(i * stride, (i + 1) * stride),
    maxValue: 1,
  }));
}
