import * as tf from '@tensorflow/tfjs';
import { centerCrop } from './center-crop';
import { CLIP_MEAN, CLIP_STD } from './clip-normalization';
import { resizeShortSide } from './resize-short-side';
import type { RgbImage } from './rgb-image';

/** Options of {@link preprocessPhoto}. */
export interface PreprocessPhotoOptions {
  /** Output side in pixels (the model's `imageSize`). Default 224. */
  size?: number;
  /** Per-channel mean of [0, 1] pixels. Default {@link CLIP_MEAN}. */
  mean?: readonly number[];
  /** Per-channel standard deviation of [0, 1] pixels. Default {@link CLIP_STD}. */
  std?: readonly number[];
}

/**
 * OpenAI CLIP's preprocessing of a real photo: short side to `size` with PIL bicubic, centre crop,
 * `/255`, then `(v - mean) / std`, in float32 as torchvision computes it.
 * @returns channels-last values `[size, size, 3]`, row-major.
 */
export function preprocessPhoto(image: RgbImage, options: PreprocessPhotoOptions = {}): Float32Array {
  const size = options.size ?? 224;
  const mean = options.mean ?? CLIP_MEAN;
  const std = options.std ?? CLIP_STD;
  if (mean.length !== 3 || std.length !== 3)
    throw new Error('preprocessPhoto: mean and std need 3 values (RGB)');
  const cropped = centerCrop(resizeShortSide(image, size), size);
  const mean32 = mean.map(Math.fround);
  const std32 = std.map(Math.fround);
  const out = new Float32Array(cropped.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = i % 3;
    out[i] = Math.fround(Math.fround(Math.fround(cropped.data[i]! / 255) - mean32[c]!) / std32[c]!);
  }
  return out;
}

/**
 * {@link preprocessPhoto} for a batch, as a tensor ready for `encodeImage`.
 * @returns `[batch, size, size, 3]` float32, owned by the caller.
 */
export function preprocessPhotos(
  images: readonly RgbImage[],
  options: PreprocessPhotoOptions = {},
): tf.Tensor4D {
  const size = options.size ?? 224;
  const values = new Float32Array(images.length * size * size * 3);
  images.forEach((image, i) => {
    values.set(preprocessPhoto(image, options), i * size * size * 3);
  });
  return tf.tensor4d(values, [images.length, size, size, 3]);
}
