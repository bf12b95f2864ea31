import type { ImageFeatureExtractor } from '../features/feature-extractor';
import { FeatureStatisticsAccumulator } from '../fid/feature-statistics';
import { frechetDistance } from '../fid/frechet-distance';
import { checkGaussianStatistics, type GaussianStatistics } from '../fid/gaussian-statistics';
import type { MetricAccumulator, MetricBatch, MetricDefinition, MetricReport } from './metric';

/** Options of the `fid` metric. */
export interface FidMetricOptions {
  /** Feature network, e.g. an {@link InceptionV3}; the reference must come from the same one. */
  extractor: ImageFeatureExtractor;
  /** Real statistics (`mu`, `sigma`), e.g. `readStatisticsNpz(bytes)` of an official `*_FIDK0.npz`. */
  reference: GaussianStatistics;
  /** Name of the reference (file name, dataset and split) for the report. */
  referenceName: string;
}

/** Below this many samples FID is noticeably biased upward (the papers use about 30,000). */
const SMALL_SAMPLE_WARNING = 10_000;

/** Settings of a feature extractor, flattened for a report. */
export function extractorSettings(extractor: ImageFeatureExtractor): Record<string, string | number> {
  const settings = extractor.describe();
  return {
    featureNetwork: settings.network,
    featureConvention: settings.convention,
    featureWeights: settings.weights,
    resize: settings.resize,
    normalisation: settings.normalisation,
    featureDim: extractor.dim,
  };
}

class FidAccumulator implements MetricAccumulator {
  private readonly statistics: FeatureStatisticsAccumulator;

  constructor(private readonly options: FidMetricOptions) {
    checkGaussianStatistics(options.reference, `fid reference '${options.referenceName}'`);
    if (options.reference.dim !== options.extractor.dim) {
      throw new Error(
        `fid: reference '${options.referenceName}' has dim ${options.reference.dim} but extractor ${options.extractor.id} gives ${options.extractor.dim}`,
      );
    }
    this.statistics = new FeatureStatisticsAccumulator(options.extractor.dim);
  }

  async update(batch: MetricBatch): Promise<void> {
    this.statistics.add(await batch.features(this.options.extractor));
  }

  async finish(): Promise<MetricReport> {
    const { extractor, reference, referenceName } = this.options;
    const generated = this.statistics.finish();
    const distance = frechetDistance(generated, reference);
    const sampleCount = generated.count ?? 0;
    const notes: string[] = [];
    if (sampleCount < SMALL_SAMPLE_WARNING) {
      notes.push(
        `only ${sampleCount} samples: FID is biased upward at small N; published CUB/COCO figures use about 30,000 generated images`,
      );
    }
    if (reference.count === undefined)
      notes.push('reference sample count unknown (.npz statistics do not record it)');
    return {
      metric: 'fid',
      value: distance.value,
      sampleCount,
      settings: {
        ...extractorSettings(extractor),
        reference: referenceName,
        referenceSamples: reference.count ?? 'unknown',
        statistics: 'mean and np.cov (N - 1) of the features, accumulated in float64',
        distance:
          'Fréchet distance in float64 via symmetric eigendecompositions (negative eigenvalues clipped to 0)',
        meanTerm: distance.meanTerm,
        traceTerm: distance.traceTerm,
        crossTerm: distance.crossTerm,
      },
      notes,
    };
  }
}

/** Fréchet Inception Distance of the generated images against real statistics. */
export const fidMetric: MetricDefinition<FidMetricOptions> = {
  name: 'fid',
  summary:
    'Fréchet distance between Gaussian fits of network features of generated and real images (lower is better)',
  create: (options) => new FidAccumulator(options),
};
