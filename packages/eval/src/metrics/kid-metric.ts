import type { ImageFeatureExtractor } from '../features/feature-extractor';
import {
  type FeatureMatrix,
  type KernelInceptionDistanceOptions,
  kernelInceptionDistance,
} from '../kid/kernel-inception-distance';
import { extractorSettings } from './fid-metric';
import type { MetricAccumulator, MetricBatch, MetricDefinition, MetricReport } from './metric';

/** Options of the `kid` metric (subset options default to torch-fidelity's). */
export interface KidMetricOptions extends KernelInceptionDistanceOptions {
  /** Feature network; the reference features must come from the same one. */
  extractor: ImageFeatureExtractor;
  /** Real feature rows, e.g. from `computeReferenceStatistics({ keepFeatures: true })` or `readFeaturesNpz`. */
  reference: FeatureMatrix;
  /** Name of the reference for the report. */
  referenceName: string;
}

class KidAccumulator implements MetricAccumulator {
  private readonly chunks: Float32Array[] = [];
  private rows = 0;

  constructor(private readonly options: KidMetricOptions) {
    if (options.reference.dim !== options.extractor.dim) {
      throw new Error(
        `kid: reference '${options.referenceName}' has dim ${options.reference.dim} but extractor ${options.extractor.id} gives ${options.extractor.dim}`,
      );
    }
  }

  async update(batch: MetricBatch): Promise<void> {
    // KID resamples subsets of all samples, so the features are kept (4 * dim bytes per image).
    this.chunks.push(Float32Array.from(await batch.features(this.options.extractor)));
    this.rows += batch.size;
  }

  async finish(): Promise<MetricReport> {
    const { extractor, reference, referenceName } = this.options;
    const dim = extractor.dim;
    const data = new Float32Array(this.rows * dim);
    let offset = 0;
    for (const chunk of this.chunks) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    const kid = await kernelInceptionDistance(reference, { rows: this.rows, dim, data }, this.options);
    return {
      metric: 'kid',
      value: kid.mean,
      std: kid.std,
      sampleCount: this.rows,
      settings: {
        ...extractorSettings(extractor),
        reference: referenceName,
        referenceSamples: reference.rows,
        estimator: 'unbiased MMD^2, polynomial kernel (gamma x.y + coef0)^degree, mean and std over subsets',
        subsets: kid.subsets,
        subsetSize: kid.subsetSize,
        degree: kid.degree,
        gamma: kid.gamma,
        coef0: kid.coef0,
        seed: kid.seed,
      },
      notes:
        kid.subsetSize < (this.options.subsetSize ?? 1000)
          ? [`subset size reduced to ${kid.subsetSize} (fewer samples than requested)`]
          : [],
    };
  }
}

/** Kernel Inception Distance: unbiased, usable with few samples. */
export const kidMetric: MetricDefinition<KidMetricOptions> = {
  name: 'kid',
  summary:
    'Kernel Inception Distance (unbiased polynomial-kernel MMD^2 over feature subsets; lower is better)',
  create: (options) => new KidAccumulator(options),
};
