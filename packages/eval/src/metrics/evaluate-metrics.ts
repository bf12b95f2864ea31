import { backendName, type EvaluationProgress, streamBatches } from './batch-stream';
import { type ImageRange, imageRange } from './image-range';
import type { EvalBatch, MetricReport } from './metric';
import { createMetric, type MetricRequest } from './metric-registry';

/** Options of {@link evaluateMetrics}. */
export interface EvaluateMetricsOptions {
  /** Metrics to compute in one pass over the images. */
  metrics: readonly MetricRequest[];
  /** Generated images, one batch in memory at a time (a generator that samples lazily is ideal). */
  batches: AsyncIterable<EvalBatch> | Iterable<EvalBatch>;
  /** Range of the images. Default `'minus-one-to-one'` (generator output). */
  range?: ImageRange;
  /** Dispose each batch's images after use. Default true. */
  disposeInputs?: boolean;
  /** Total images expected, for progress. */
  expectedSamples?: number;
  /** Called after every batch. */
  onProgress?: (progress: EvaluationProgress) => void;
}

/** All figures of one evaluation and the run's own settings. */
export interface EvaluationReport {
  /** Generated images processed. */
  sampleCount: number;
  /** How images were brought to [0, 1]. */
  imageMapping: string;
  /** tfjs backend the networks ran on. */
  backend: string;
  elapsedSeconds: number;
  metrics: MetricReport[];
}

/**
 * Streams the batches once through every requested metric (features shared between metrics that
 * use the same extractor object) and returns a report per metric. Runs on the current tfjs backend;
 * statistics and distances are computed in float64 on the host.
 */
export async function evaluateMetrics(options: EvaluateMetricsOptions): Promise<EvaluationReport> {
  if (options.metrics.length === 0) throw new Error('evaluateMetrics: no metrics requested');
  const range = options.range ?? 'minus-one-to-one';
  const imageMapping = imageRange(range).mapping;
  const accumulators = options.metrics.map((request) => createMetric(request));
  const started = performance.now();
  const sampleCount = await streamBatches(
    options.batches,
    {
      range,
      disposeInputs: options.disposeInputs ?? true,
      expectedSamples: options.expectedSamples,
      onProgress: options.onProgress,
    },
    async (batch) => {
      for (const accumulator of accumulators) await accumulator.update(batch);
    },
  );
  if (sampleCount === 0) throw new Error('evaluateMetrics: the batches held no images');
  const metrics: MetricReport[] = [];
  for (const accumulator of accumulators) {
    const report = await accumulator.finish();
    metrics.push({ ...report, settings: { ...report.settings, imageMapping } });
  }
  return {
    sampleCount,
    imageMapping,
    backend: backendName(),
    elapsedSeconds: (performance.now() - started) / 1000,
    metrics,
  };
}
