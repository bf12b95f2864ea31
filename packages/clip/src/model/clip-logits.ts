import * as tf from '@tensorflow/tfjs';

/** Similarity logits of CLIP. */
export type ClipLogits = {
  /** `[images, texts]`: `exp(logitScale) * cos(image_i, text_j)`. */
  logitsPerImage: tf.Tensor2D;
  /** `[texts, images]`, the transpose. */
  logitsPerText: tf.Tensor2D;
};

/**
 * CLIP's logits (OpenAI `CLIP.forward`): both embeddings L2-normalised along the feature axis, their
 * cosine similarities scaled by `exp(logitScale)`.
 * @param imageEmbeddings `[images, embedDim]`.
 * @param textEmbeddings `[texts, embedDim]`.
 * @param logitScale scalar log-temperature (`logit_scale`; ln 100 in trained OpenAI models).
 */
export function clipLogits(
  imageEmbeddings: tf.Tensor2D,
  textEmbeddings: tf.Tensor2D,
  logitScale: tf.Scalar,
): ClipLogits {
  return tf.tidy(() => {
    const normalize = (x: tf.Tensor2D) => x.div(x.norm('euclidean', 1, true)) as tf.Tensor2D;
    const logitsPerImage = tf
      .matMul(normalize(imageEmbeddings), normalize(textEmbeddings), false, true)
      .mul(logitScale.exp()) as tf.Tensor2D;
    return { logitsPerImage, logitsPerText: logitsPerImage.transpose() as tf.Tensor2D };
  });
}
