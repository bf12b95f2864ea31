import type { FeatureExtractorSettings, ImageFeatureExtractor } from '../features/feature-extractor';
import { FeatureStatisticsAccumulator } from '../fid/feature-statistics';
import type { GaussianStatistics } from '../fid/gaussian-statistics';
import type { FeatureMatrix } from '../kid/kernel-inception-distance';
import { type EvaluationProgress, streamBatches } from './batch-stream';
import { type ImageRange, imageRange } from './image-range';
import type { EvalBatch } from './metric';

/** Options of {@link computeReferenceStatistics}. */
export interface ReferenceStatisticsOptions {
  /** Real images, e.g. a dataset split or an image folder decoded batch by batch. */
  batches: AsyncIterable<EvalBatch> | Iterable<EvalBatch>;
  extractor: ImageFeatureExtractor;
  /** Range of the images. Default `'zero-to-one'` (decoded image files). */
  range?: ImageRange;
  /** Also keep the feature rows (needed as a KID reference; 4 * dim bytes per image). Default false. */
  keepFeatures?: boolean;
  /** Dispose each batch's images after use. Default true. */
  disposeInputs?: boolean;
  expectedSamples?: number;
  onProgress?: (progress: EvaluationProgress) => void;
}

/** Real-image statistics and how they were made. */
export interface ReferenceStatistics {
  /** Save with `writeStatisticsNpz` for a `*_FIDK0.npz`-style file. */
  statistics: GaussianStatistics;
  /** The feature rows when `keepFeatures` was set. */
  features?: FeatureMatrix;
  extractor: FeatureExtractorSettings;
  imageMapping: string;
}

/**
 * Mean and covariance (float64, np.cov) of the extractor's features over a stream of real images,
 * holding one batch at a time.
 */
export async function computeReferenceStatistics(
  options: ReferenceStatisticsOptions,
): Promise<ReferenceStatistics> {
  const { extractor } = options;
  const range = options.range ?? 'zero-to-one';
  const accumulator = new FeatureStatisticsAccumulator(extractor.dim);
  const kept: Float32Array[] = [];
  await streamBatches(
    options.batches,
    {
      range,
      disposeInputs: options.disposeInputs ?? true,
      expectedSamples: options.expectedSamples,
      onProgress: options.onProgress,
    },
    async (batch) => {
      const features = await batch.features(extractor);
      accumulator.add(features);
      if (options.keepFeatures) kept.push(Float32Array.from(features));
    },
  );
  const statistics = accumulator.finish();
  let features: FeatureMatrix | undefined;
  if (options.keepFeatures) {
    const data = new Float32Array(accumulator.count * extractor.dim);
    let offset = 0;
    for (const chunk of kept) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    features = { rows: accumulator.count, dim: extractor.dim, data };
  }
  return { statistics, features, extractor: extractor.describe(), imageMapping: imageRange(range).mapping };
}
