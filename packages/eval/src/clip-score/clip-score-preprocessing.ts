import { generatedImagesToClipInput, preprocessPhotos, type RgbImage } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

/**
 * How images reach CLIP for the CLIP score:
 * - `'ratlip-reference'`: what RATLIP/GALIP's evaluation does (`transf_to_CLIP_input`): the [0, 1]
 *   image is taken back to [-1, 1], mapped with `x * 0.5 + 0.5`, resized to the CLIP side with
 *   PyTorch's legacy nearest neighbour, shifted a second time (`(v + 1) / 2`, so a pixel reaches the
 *   normalisation as `0.25 x + 0.75`), then normalised with CLIP's mean/std. Use it to compare with
 *   published RATLIP/GALIP CLIP scores.
 * - `'standard'`: what OpenAI CLIP's own `preprocess` does to the image saved as an 8-bit file: each
 *   channel rounded to the nearest of 256 levels (`round(255 u)`), short side resized to the CLIP side
 *   with PIL's bicubic filter (antialiased when shrinking), centre crop, `/ 255`, CLIP's mean/std.
 */
export type ClipScorePreprocessing = 'ratlip-reference' | 'standard';

/** One entry of {@link CLIP_SCORE_PREPROCESSINGS}. */
export interface ClipScorePreprocessingSpec {
  /** The pipeline in words, for reports. */
  description: string;
  /**
   * @param images `[batch, height, width, 3]` in [0, 1]; not disposed.
   * @param imageSize the CLIP input side in pixels.
   * @returns `[batch, imageSize, imageSize, 3]` CLIP input, owned by the caller.
   */
  toClipInput(images: tf.Tensor4D, imageSize: number): Promise<tf.Tensor4D>;
}

/** Bytes of each image, as saving it to an 8-bit file would store them. */
async function toRgbImages(images: tf.Tensor4D): Promise<RgbImage[]> {
  const bytes = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(images, 0, 1), 255)).toInt());
  let values: Int32Array;
  try {
    values = (await bytes.data()) as Int32Array;
  } finally {
    bytes.dispose();
  }
  const [batch, height, width] = images.shape;
  const stride = height * width * 3;
  return Array.from({ length: batch }, (_, i) => ({
    width,
    height,
    data: Uint8Array.from(values.subarray(i * stride, (i + 1) * stride)),
  }));
}

/** The registry of CLIP-score preprocessings. */
export const CLIP_SCORE_PREPROCESSINGS: Readonly<Record<ClipScorePreprocessing, ClipScorePreprocessingSpec>> =
  {
    'ratlip-reference': {
      description:
        'RATLIP/GALIP transf_to_CLIP_input: [0,1] -> [-1,1] -> x*0.5+0.5 -> legacy nearest resize -> (v+1)/2 (pixels reach CLIP as 0.25x+0.75) -> CLIP mean/std',
      toClipInput: async (images, imageSize) =>
        tf.tidy(() =>
          generatedImagesToClipInput(tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D, {
            imageSize,
            quirk: 'ratlip',
          }),
        ),
    },
    standard: {
      description:
        'OpenAI CLIP preprocess of the 8-bit image: round(255u) -> PIL bicubic resize of the short side -> centre crop -> /255 -> CLIP mean/std',
      toClipInput: async (images, imageSize) =>
        preprocessPhotos(await toRgbImages(images), { size: imageSize }),
    },
  };

/** The spec of `name`; throws listing the known preprocessings otherwise. */
export function clipScorePreprocessing(name: string): ClipScorePreprocessingSpec {
  const spec = (CLIP_SCORE_PREPROCESSINGS as Record<string, ClipScorePreprocessingSpec | undefined>)[name];
  if (!spec) {
    throw new Error(
      `clip-score: unknown preprocessing '${name}'; expected one of ${Object.keys(CLIP_SCORE_PREPROCESSINGS).join(', ')}`,
    );
  }
  return spec;
}
