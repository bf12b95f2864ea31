import type * as tf from '@tensorflow/tfjs';
import type { ImageFeatureExtractor } from '../features/feature-extractor';

/** One batch of images (and optionally their captions) to score. */
export interface EvalBatch {
  /** `[batch, height, width, 3]` RGB in the evaluation's image range. */
  images: tf.Tensor4D;
  /** One caption per image, for text-image metrics. */
  captions?: readonly string[];
}

/** What a metric sees of a batch. Everything here is owned by the runner. */
export interface MetricBatch {
  /** Number of images. */
  size: number;
  /** The images clamped and mapped to [0, 1], `[batch, height, width, 3]`. */
  images: tf.Tensor4D;
  captions?: readonly string[];
  /**
   * Features of the images by `extractor`, row-major `[size, extractor.dim]`; computed once per
   * batch and extractor however many metrics ask.
   */
  features(extractor: ImageFeatureExtractor): Promise<Float32Array>;
}

/** A metric's figure and everything needed to judge whether two figures are comparable. */
export interface MetricReport {
  /** Registry name, e.g. `'fid'`. */
  metric: string;
  value: number;
  /** Spread of the estimate where the metric has one (KID: std over subsets). */
  std?: number;
  /**
   * Named partial figures where the metric has them, e.g. Shapes alignment's accuracy per attribute
   * and the chance level of each, or CLIP score under both averagings.
   */
  breakdown?: Record<string, number>;
  /** Generated samples that went into the figure. */
  sampleCount: number;
  /** Settings that must match for comparison (network, weights, resize, normalisation, reference, ...). */
  settings: Record<string, string | number>;
  /** Caveats, e.g. small-sample bias. */
  notes: string[];
}

/** The running state of one metric over a stream of batches. */
export interface MetricAccumulator {
  update(batch: MetricBatch): Promise<void>;
  /** The figure over everything seen so far. */
  finish(): Promise<MetricReport>;
}

/** A metric in the registry: a name and a factory from typed options. */
export interface MetricDefinition<Options> {
  name: string;
  /** One line for listings. */
  summary: string;
  create(options: Options): MetricAccumulator;
}
