export type { FeatureExtractorSettings, ImageFeatureExtractor } from './features/feature-extractor';
export type { FeatureStatisticsOptions } from './fid/feature-statistics';
export { FeatureStatisticsAccumulator } from './fid/feature-statistics';
export type { FrechetDistance } from './fid/frechet-distance';
export { frechetDistance } from './fid/frechet-distance';
export type { GaussianStatistics } from './fid/gaussian-statistics';
export type { StatisticsReadOptions, StatisticsWriteOptions } from './fid/statistics-file';
export {
  readFeaturesNpz,
  readStatisticsNpz,
  writeFeaturesNpz,
  writeStatisticsNpz,
} from './fid/statistics-file';
export type {
  BasicConvSpec,
  InceptionModuleKind,
  InceptionModuleSpec,
} from './inception/inception-architecture';
export {
  INCEPTION_BATCH_NORM_EPSILON,
  INCEPTION_CONVS,
  INCEPTION_FEATURE_DIM,
  INCEPTION_INPUT_SIZE,
  INCEPTION_MODULES,
  inceptionFeatureParameterCount,
  inceptionFeatureParameterShapes,
} from './inception/inception-architecture';
export type {
  BranchPool,
  InceptionConvention,
  InceptionConventionName,
} from './inception/inception-conventions';
export { INCEPTION_CONVENTIONS, inceptionConvention } from './inception/inception-conventions';
export type { InceptionBlocks, InceptionV3Options } from './inception/inception-v3';
export { InceptionV3 } from './inception/inception-v3';
export type { TensorSource } from './inception/tensor-source';
export { tensorSourceFromSafetensors } from './inception/tensor-source';
export type {
  FeatureMatrix,
  KernelInceptionDistance,
  KernelInceptionDistanceOptions,
} from './kid/kernel-inception-distance';
export { kernelInceptionDistance } from './kid/kernel-inception-distance';
export type { SymmetricEigen, SymmetricEigenOptions } from './linalg/symmetric-eigen';
export { symmetricEigen } from './linalg/symmetric-eigen';
export type { EvaluationProgress } from './metrics/batch-stream';
export type { EvaluateMetricsOptions, EvaluationReport } from './metrics/evaluate-metrics';
export { evaluateMetrics } from './metrics/evaluate-metrics';
export type { FidMetricOptions } from './metrics/fid-metric';
export { fidMetric } from './metrics/fid-metric';
export type { ImageRange } from './metrics/image-range';
export { IMAGE_RANGES } from './metrics/image-range';
export type { KidMetricOptions } from './metrics/kid-metric';
export { kidMetric } from './metrics/kid-metric';
export type {
  EvalBatch,
  MetricAccumulator,
  MetricBatch,
  MetricDefinition,
  MetricReport,
} from './metrics/metric';
export type { MetricName, MetricOptionsByName, MetricRequest } from './metrics/metric-registry';
export { createMetric, METRICS } from './metrics/metric-registry';
export type { ReferenceStatistics, ReferenceStatisticsOptions } from './metrics/reference-statistics';
export { computeReferenceStatistics } from './metrics/reference-statistics';
