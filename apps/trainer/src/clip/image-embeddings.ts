import { type ClipModel, preprocessPhoto, type RgbImage } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

/** Images encoded per forward pass. */
const IMAGE_BATCH = 32;

/**
 * CLIP image embeddings `[images.length, embedDim]` (row-major, not normalised). Each image goes through
 * CLIP's own preprocessing (`preprocessPhoto`: short side to the model's `imageSize` with PIL-exact
 * bicubic, centre crop, `/255`, mean/std); an image of exactly `imageSize x imageSize` is not resampled,
 * so it is only scaled to [0, 1] and normalised. Images are loaded one batch at a time. Leaves no tensors
 * behind.
 * @param load the `index`-th image as 8-bit RGB.
 */
export async function embedImages(
  model: ClipModel,
  count: number,
  load: (index: number) => Promise<RgbImage>,
): Promise<{ values: Float32Array; dim: number }> {
  const size = model.config.vision.imageSize;
  const dim = model.config.vision.embedDim;
  const values = new Float32Array(count * dim);
  for (let start = 0; start < count; start += IMAGE_BATCH) {
    const batch = Math.min(IMAGE_BATCH, count - start);
    const pixels = new Float32Array(batch * size * size * 3);
    for (let i = 0; i < batch; i++) {
      pixels.set(preprocessPhoto(await load(start + i), { size }), i * size * size * 3);
    }
    const embeddings = tf.tidy(() => model.encodeImage(tf.tensor4d(pixels, [batch, size, size, 3])));
    values.set(embeddings.dataSync(), start * dim);
    embeddings.dispose();
  }
  return { values, dim };
}
