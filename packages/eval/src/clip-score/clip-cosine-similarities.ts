import type { ClipModel } from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

/** `torch.cosine_similarity`'s floor on the product of the norms. */
const COSINE_EPSILON = 1e-8;

/**
 * Row-wise cosine similarity between CLIP's image and text embeddings, as the reference's
 * `torch.cosine_similarity(encode_image(x), encode_text(t))`.
 * @param clipInput normalised images `[batch, imageSize, imageSize, 3]`.
 * @param ids int32 token ids `[batch, contextLength]`, row i the caption of image i.
 * @returns `[batch]` in [-1, 1], owned by the caller.
 */
export function clipCosineSimilarities(
  model: ClipModel,
  clipInput: tf.Tensor4D,
  ids: tf.Tensor2D,
): tf.Tensor1D {
  if (clipInput.shape[0] !== ids.shape[0]) {
    throw new Error(
      `clipCosineSimilarities: ${clipInput.shape[0]} images but ${ids.shape[0]} token rows; pair each image with its caption`,
    );
  }
  return tf.tidy(() => {
    const image = model.encodeImage(clipInput);
    const text = model.encodeText(ids);
    const dot = tf.sum(tf.mul(image, text), 1);
    const norms = tf.mul(tf.norm(image, 2, 1), tf.norm(text, 2, 1));
    return tf.div(dot, tf.maximum(norms, COSINE_EPSILON)) as tf.Tensor1D;
  });
}
