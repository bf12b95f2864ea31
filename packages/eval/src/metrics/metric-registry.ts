import { type ClipScoreMetricOptions, clipScoreMetric } from './clip-score-metric';
import { type FidMetricOptions, fidMetric } from './fid-metric';
import { type KidMetricOptions, kidMetric } from './kid-metric';
import type { MetricAccumulator, MetricDefinition } from './metric';
import { type ShapesAlignmentMetricOptions, shapesAlignmentMetric } from './shapes-alignment-metric';

/** Options of every registered metric, by name. A new metric adds its entry here and in {@link METRICS}. */
export interface MetricOptionsByName {
  fid: FidMetricOptions;
  kid: KidMetricOptions;
  'clip-score': ClipScoreMetricOptions;
  'shapes-alignment': ShapesAlignmentMetricOptions;
}

/** Names of the registered metrics. */
export type MetricName = keyof MetricOptionsByName;

/** The metric registry. */
export const METRICS: { readonly [Name in MetricName]: MetricDefinition<MetricOptionsByName[Name]> } = {
  fid: fidMetric,
  kid: kidMetric,
  'clip-score': clipScoreMetric,
  'shapes-alignment': shapesAlignmentMetric,
};

/** One metric to compute, with its options: `{ metric: 'fid', options: { ... } }`. */
export type MetricRequest = {
  [Name in MetricName]: { metric: Name; options: MetricOptionsByName[Name] };
}[MetricName];

/** Creates the accumulator of a request; throws listing the registered names for an unknown one. */
export function createMetric(request: MetricRequest): MetricAccumulator {
  const definition = (METRICS as Record<string, MetricDefinition<unknown> | undefined>)[request.metric];
  if (!definition) {
    throw new Error(`unknown metric '${request.metric}'; registered: ${Object.keys(METRICS).join(', ')}`);
  }
  return definition.create(request.options);
}
