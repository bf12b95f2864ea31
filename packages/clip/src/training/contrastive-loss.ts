import * as tf from '@tensorflow/tfjs';

/**
 * CLIP's symmetric InfoNCE loss: the mean of the cross-entropy of each image over the texts and of each
 * text over the images, the matching pair (the diagonal) being the target. Differentiable.
 *
 * Columns beyond the batch are hard-negative texts that describe no image of the batch (NegCLIP,
 * Yuksekgonul et al. 2023: the caption with attributes swapped between its objects): they join every
 * image's choice of text but are not texts choosing among the images. Without them a CLIP may match
 * captions as bags of words, since a batch rarely holds two captions that differ only in binding.
 * @param logitsPerImage `[batch, batch + negatives]` scaled similarities, row = image, column = text
 *   (from `clipLogits`): the batch's own texts first, then the negatives.
 * @returns scalar loss; `(ln(batch + negatives) + ln(batch)) / 2` for uninformative logits.
 */
export function clipContrastiveLoss(logitsPerImage: tf.Tensor2D): tf.Scalar {
  const [images, texts] = logitsPerImage.shape;
  if (texts < images || images < 1) {
    throw new Error(
      `clipContrastiveLoss: logitsPerImage must be [batch, batch + negatives] (at least as many texts as images), got [${logitsPerImage.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const target = tf.eye(images, texts);
    const imageToText = tf.logSoftmax(logitsPerImage).mul(target).sum();
    const ownTexts = texts === images ? logitsPerImage : logitsPerImage.slice([0, 0], [images, images]);
    const textToImage = tf.logSoftmax(ownTexts.transpose()).mul(tf.eye(images)).sum();
    return imageToText.add(textToImage).div(-2 * images) as tf.Scalar;
  });
}

/**
 * Share of rows whose largest logit is on the diagonal: in-batch top-1 retrieval (image to text for
 * `logitsPerImage`, negatives included). Not differentiable.
 * @param logits `[batch, batch + negatives]`.
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
