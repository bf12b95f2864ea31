import type * as tf from '@tensorflow/tfjs';

/** The settings of a feature extractor that must match for two figures to be comparable. */
export interface FeatureExtractorSettings {
  /** The network and layer, e.g. `'Inception-v3 pool3 (2048-d)'`. */
  network: string;
  /** Weight convention name, e.g. `'pytorch-fid'`. */
  convention: string;
  /** Where the weights came from (file name given at load time) and which published weights they should be. */
  weights: string;
  /** How images are resized before the network. */
  resize: string;
  /** How the resized [0,1] image is normalised. */
  normalisation: string;
}

/**
 * Maps images to feature vectors. Metrics that share an extractor object share its features
 * (computed once per batch).
 */
export interface ImageFeatureExtractor {
  /** Stable identifier of the extractor and its settings, e.g. `'inception-v3/pytorch-fid/pool3'`. */
  readonly id: string;
  /** Feature width. */
  readonly dim: number;
  /** `[batch, height, width, 3]` RGB in [0, 1] to `[batch, dim]` features; the caller disposes the result. */
  extract(images: tf.Tensor4D): tf.Tensor2D;
  /** Settings for reports. */
  describe(): FeatureExtractorSettings;
}
