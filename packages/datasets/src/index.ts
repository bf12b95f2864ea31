export type { CsvRecord } from './custom/csv';
export { parseCsv } from './custom/csv';
export type { CustomSplit, HoldOutOptions } from './custom/hold-out';
export type { ImageFolderOptions } from './custom/image-folder';
export { openImageFolder } from './custom/image-folder';
export type { ManifestOptions } from './custom/manifest';
export { openManifest } from './custom/manifest';
export type { BadSampleReason, DatasetProblem } from './errors';
export { DatasetError, isBadSampleError } from './errors';
export { parseCaptionText } from './io/captions';
export { IMAGE_EXTENSIONS, joinPath } from './io/paths';
export type { BirdsOptions } from './layouts/cub-birds';
export { openBirds } from './layouts/cub-birds';
export type { BoundingBox } from './layouts/cub-crop';
export { cubCropBox } from './layouts/cub-crop';
export type { FileSample } from './layouts/file-dataset';
export { FileDataset } from './layouts/file-dataset';
export type { KeyedLayoutOptions } from './layouts/keyed-layout';
export { openFaces, openFlowers, openKeyedLayout } from './layouts/keyed-layout';
export type { OfficialSplit } from './layouts/split-keys';
export { OFFICIAL_SPLITS, readSplitKeys } from './layouts/split-keys';
export { readStringListPickle } from './pickle/read-string-list-pickle';
export type { StringListPickleOptions } from './pickle/write-string-list-pickle';
export { writeStringListPickle } from './pickle/write-string-list-pickle';
export type { BadSampleEntry } from './pipeline/bad-sample-log';
export { BadSampleLog } from './pipeline/bad-sample-log';
export type { BatchTensors } from './pipeline/batch-tensors';
export { batchToTensors } from './pipeline/batch-tensors';
export type { CropPlacement } from './pipeline/crop-normalise';
export { centreCropPlacement, randomCropPlacement, writeCropNormalised } from './pipeline/crop-normalise';
export type {
  CaptionTokenizer,
  DataBatch,
  DataPipelineOptions,
  PipelineState,
} from './pipeline/data-pipeline';
export { DataPipeline } from './pipeline/data-pipeline';
export type { EpochPlan } from './pipeline/epoch-plan';
export { planEpoch } from './pipeline/epoch-plan';
export type { SampleGrouping } from './pipeline/grouped-order';
export { groupedOrder } from './pipeline/grouped-order';
export { referenceResizeShortSide, resizedSize } from './pipeline/resize-size';
export type { ScanDatasetOptions } from './pipeline/scan-dataset';
export { scanDataset } from './pipeline/scan-dataset';
export type { DatasetKind, DatasetSpec, OpenDatasetOptions } from './registry';
export { datasetKinds, openDataset, parseDatasetSpec, registerDatasetKind } from './registry';
export type {
  ShapesCaptionObject,
  ShapesCaptionParse,
  ShapesCaptionWithSwaps,
  ShapesSwappableAttribute,
} from './shapes/captions';
export {
  describeShapesScene,
  describeShapesSceneWithSwaps,
  parseShapesCaption,
  SHAPES_PAIR_TEMPLATES,
  SHAPES_SINGLE_TEMPLATES,
  SHAPES_SWAPPABLE_ATTRIBUTES,
  SHAPES_SYNONYMS,
} from './shapes/captions';
export {
  canonicalShapesCaption,
  shapesCounterfactualCaptions,
  shapesSwappedCaptions,
} from './shapes/counterfactual-captions';
export {
  renderShapesScene,
  SHAPES_MAX_RENDER_SIZE,
  SHAPES_MIN_RENDER_SIZE,
  shapesObjectCoverage,
} from './shapes/rasterizer';
export type { ShapesSceneOptions } from './shapes/scene-sampler';
export { SHAPES_MIN_GAP, sampleShapesScene } from './shapes/scene-sampler';
export type { ShapesDatasetOptions, ShapesSplit } from './shapes/shapes-dataset';
export { SHAPES_DEFAULT_SPLIT_SIZES, SHAPES_SPLITS, ShapesDataset } from './shapes/shapes-dataset';
export type {
  ShapesBackground,
  ShapesColour,
  ShapesCombination,
  ShapesKind,
  ShapesObject,
  ShapesPosition,
  ShapesScene,
  ShapesSize,
} from './shapes/vocabulary';
export {
  matchesCombination,
  SHAPES_BACKGROUND_LEVELS,
  SHAPES_BACKGROUNDS,
  SHAPES_COLOUR_NAMES,
  SHAPES_COLOURS,
  SHAPES_DEFAULT_JITTER,
  SHAPES_HELD_OUT,
  SHAPES_KINDS,
  SHAPES_NOISE_AMPLITUDE,
  SHAPES_OUTLINES,
  SHAPES_POSITION_NAMES,
  SHAPES_POSITIONS,
  SHAPES_SIZE_NAMES,
  SHAPES_SIZES,
} from './shapes/vocabulary';
export type {
  CropBox,
  DatasetIO,
  DecodeRequest,
  FileEntry,
  FileSource,
  ImageDecoder,
  ImageLoadOptions,
  RgbImage,
  SampleLocation,
  TextImageDataset,
} from './types';
