import type * as tf from '@tensorflow/tfjs';
import { type ClipConfig, validateClipConfig } from './clip-config';
import { type ClipLogits, clipLogits } from './clip-logits';
import { type ClipParameters, checkClipParameters } from './clip-parameters';
import { ClipTextTransformer } from './text-transformer';
import { ClipVisionTransformer } from './vision-transformer';

/**
 * A whole CLIP: image tower, text tower and the learned temperature. The model owns its parameters
 * (plain, non-trainable tensors; gradients flow through them to the inputs); {@link dispose} frees them.
 *
 * @example
 * ```ts
 * const { model } = loadClipWeights(readSafetensors(bytes));
 * const image = model.encodeImage(pixels);        // [batch, 512]
 * const text = model.encodeText(ids);             // [batch, 512]
 * const { logitsPerImage } = model.logits(image, text);
 * ```
 */
export class ClipModel {
  readonly vision: ClipVisionTransformer;
  readonly text: ClipTextTransformer;
  /** `logit_scale`, scalar; logits use `exp(logitScale)`. */
  readonly logitScale: tf.Scalar;

  /**
   * @param config validated here.
   * @param parameters TF.js-layout weights; every shape is checked against `config`.
   */
  constructor(
    readonly config: ClipConfig,
    readonly parameters: ClipParameters,
  ) {
    validateClipConfig(config);
    checkClipParameters(config, parameters);
    this.vision = new ClipVisionTransformer(config.vision, parameters.vision);
    this.text = new ClipTextTransformer(config.text, parameters.text);
    this.logitScale = parameters.logitScale;
  }

  /**
   * @param pixels normalised images `[batch, imageSize, imageSize, 3]` (see `preprocessPhoto`).
   * @returns `[batch, embedDim]`, not normalised.
   */
  encodeImage(pixels: tf.Tensor4D): tf.Tensor2D {
    return this.vision.encode(pixels);
  }

  /**
   * @param ids int32 token ids `[batch, contextLength]`.
   * @returns `[batch, embedDim]`, not normalised (RATLIP's sentence embedding).
   */
  encodeText(ids: tf.Tensor2D): tf.Tensor2D {
    return this.text.encode(ids);
  }

  /**
   * Scaled cosine similarities of embeddings.
   * @param imageEmbeddings `[images, embedDim]`.
   * @param textEmbeddings `[texts, embedDim]`.
   */
  logits(imageEmbeddings: tf.Tensor2D, textEmbeddings: tf.Tensor2D): ClipLogits {
    return clipLogits(imageEmbeddings, textEmbeddings, this.logitScale);
  }

  /**
   * Encodes both and returns the logits, as OpenAI's `CLIP.forward(image, text)`.
   * @param pixels `[images, imageSize, imageSize, 3]`.
   * @param ids int32 `[texts, contextLength]`.
   */
  forward(pixels: tf.Tensor4D, ids: tf.Tensor2D): ClipLogits {
    const image = this.encodeImage(pixels);
    const text = this.encodeText(ids);
    const logits = this.logits(image, text);
    image.dispose();
    text.dispose();
    return logits;
  }

  /** Frees every parameter. */
  dispose(): void {
    this.vision.dispose();
    this.text.dispose();
    this.logitScale.dispose();
  }
}
