export { clipCosineSimilarities } from './clip-score/clip-cosine-similarities';
export type {
  ClipScorePreprocessing,
  ClipScorePreprocessingSpec,
} from './clip-score/clip-score-preprocessing';
export { CLIP_SCORE_PREPROCESSINGS, clipScorePreprocessing } from './clip-score/clip-score-preprocessing';
export type { ClipScoresOptions } from './clip-score/clip-scores';
export { clipScores } from './clip-score/clip-scores';
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
export type { ClipScoreAveraging, ClipScoreMetricOptions } from './metrics/clip-score-metric';
export { clipScoreMetric } from './metrics/clip-score-metric';
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
export type { ShapesAlignmentMetricOptions, ShapesCaptionSource } from './metrics/shapes-alignment-metric';
export { shapesAlignmentMetric, shapesObjectCountKey } from './metrics/shapes-alignment-metric';
export type { ShapesAnalysisImage } from './shapes-alignment/analysis-image';
export { shapesImagesFromTensor } from './shapes-alignment/analysis-image';
export type { ColourSegmentation, ColourSegmentationOptions } from './shapes-alignment/colour-segmentation';
export { segmentShapesColours } from './shapes-alignment/colour-segmentation';
export type {
  DetectedShapesObject,
  ShapesDetection,
  ShapesDetectionOptions,
} from './shapes-alignment/detect-shapes-objects';
export { detectShapesObjects, SHAPES_DETECTION_DEFAULTS } from './shapes-alignment/detect-shapes-objects';
export type {
  ShapesAlignmentResult,
  ShapesAttribute,
  ShapesObjectAlignment,
} from './shapes-alignment/shapes-alignment';
export { checkShapesAlignment, SHAPES_ATTRIBUTES } from './shapes-alignment/shapes-alignment';
export type {
  ShapesAlignmentSummary,
  ShapesObjectCountAlignment,
} from './shapes-alignment/shapes-alignment-tally';
export {
  SHAPES_ATTRIBUTE_CHANCE,
  SHAPES_COUNT_CHANCE,
  ShapesAlignmentTally,
} from './shapes-alignment/shapes-alignment-tally';
export { shapesVocabularyFingerprint } from './shapes-alignment/shapes-vocabulary-fingerprint';
