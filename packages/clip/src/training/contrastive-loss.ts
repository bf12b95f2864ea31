import * as tf from '@tensorflow/tfjs';

/**
 * CLIP's symmetric InfoNCE loss: the mean of the cross-entropy of each image over the texts and of each
 * text over the images, the matching pair (the diagonal) being the target. Differentiable.
 * @param logitsPerImage `[batch, batch]` scaled similarities, row = image, column = text (from `clipLogits`).
 * @returns scalar loss; `ln(batch)` for uninformative logits.
 */
export function clipContrastiveLoss(logitsPerImage: tf.Tensor2D): tf.Scalar {
  const [images, texts] = logitsPerImage.shape;
  if (images !== texts || images < 1) {
    throw new Error(
      `clipContrastiveLoss: logitsPerImage must be square [batch, batch], got [${logitsPerImage.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const diagonal = tf.eye(images);
    const imageToText = tf.logSoftmax(logitsPerImage).mul(diagonal).sum();
    const textToImage = tf.logSoftmax(logitsPerImage.transpose()).mul(diagonal).sum();
    return imageToText.add(textToImage).div(-2 * images) as tf.Scalar;
  });
}

/**
 * Share of rows whose largest logit is on the diagonal: in-batch top-1 retrieval (image to text for
 * `logitsPerImage`). Not differentiable.
 * @param logits `[batch, batch]`.
 * @returns scalar in [0, 1].
 */
export function diagonalTop1Accuracy(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const rows = logits.shape[0];
    return tf
      .argMax(logits, 1)
      .equal(tf.range(0, rows, 1, 'int32'))
      .cast('float32')
      .mean() as tf.Scalar;
  });
}
