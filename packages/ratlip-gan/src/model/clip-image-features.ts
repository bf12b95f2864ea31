import { type ClipInputQuirk, type ClipVisionTransformer, generatedImagesToClipInput } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

/** What the discriminator and the generator's CLIP loss see of a batch of images. */
export interface ClipImageFeatures {
  /** Patch tokens after each tapped block, `[batch, taps, grid, grid, width]`. */
  readonly localFeatures: tf.Tensor5D;
  /** The projected image embedding `[batch, embedDim]` (not normalised). */
  readonly embedding: tf.Tensor2D;
}

/** Options of {@link encodeImagesForDiscriminator}. */
export interface ClipImageFeaturesOptions {
  /** CLIP input mapping of [-1, 1] images. Default `'ratlip'` (the official double shift). */
  quirk?: ClipInputQuirk;
  /** Blocks (0-based) whose tokens are returned. Default [1, 4, 8]. */
  tapBlocks?: readonly number[];
}

/**
 * The official `CLIP_IMG_ENCODER`: images in [-1, 1] (real ones or the generator's unclamped output)
 * mapped to CLIP's input (nearest resize to the tower's size, the input quirk, mean/std), then the
 * image tower once for the tapped local features and the embedding. Differentiable in `images`.
 * @param images `[batch, height, width, 3]`.
 */
export function encodeImagesForDiscriminator(
  vision: ClipVisionTransformer,
  images: tf.Tensor4D,
  options: ClipImageFeaturesOptions = {},
): ClipImageFeatures {
  return tf.tidy(() => {
    const pixels = generatedImagesToClipInput(images, {
      imageSize: vision.config.imageSize,
      quirk: options.quirk ?? 'ratlip',
    });
    return vision.encodeWithLocalFeatures(pixels, { tapBlocks: options.tapBlocks ?? [1, 4, 8] });
  });
}
