export { checkBlockList, RATLIP_PROMPT_BLOCKS, RATLIP_TAP_BLOCKS } from './model/block-selection';
export { causalMask } from './model/causal-mask';
export type { ClipConfig, ClipTextConfig, ClipVisionConfig } from './model/clip-config';
export {
  CLIP_LAYER_NORM_EPSILON,
  CLIP_MLP_RATIO,
  validateClipConfig,
  validateClipTextConfig,
  validateClipVisionConfig,
  visionGridSize,
  visionTokenCount,
} from './model/clip-config';
export type { ClipLogits } from './model/clip-logits';
export { clipLogits } from './model/clip-logits';
export { ClipModel } from './model/clip-model';
export type { ClipParameters } from './model/clip-parameters';
export {
  assembleClipParameters,
  checkClipParameters,
  clipParameterEntries,
  clipParameterSlots,
  LOGIT_SCALE_KEY,
} from './model/clip-parameters';
export type { ClipPresetName } from './model/clip-presets';
export { CLIP_PRESETS, clipPreset } from './model/clip-presets';
export type { InitializeClipOptions } from './model/initialize-clip-parameters';
export { initializeClipParameters } from './model/initialize-clip-parameters';
export { layerNorm } from './model/layer-norm';
export { linear } from './model/linear';
export { multiHeadSelfAttention } from './model/multi-head-attention';
export type { ParameterLayout, ParameterSlot } from './model/parameter-layout';
export { slotTensorFromTorch, slotTfShape, slotTorchValues } from './model/parameter-layout';
export { quickGelu } from './model/quick-gelu';
export type { OpenAiClipArguments } from './model/reference-config';
export { clipConfigFromOpenAiArguments, openAiArgumentsFromClipConfig } from './model/reference-config';
export { residualAttentionBlock } from './model/residual-attention-block';
export type {
  AttentionParameters,
  LayerNormParameters,
  LinearParameters,
  ResidualBlockParameters,
} from './model/residual-block-parameters';
export type { ClipTextParameters } from './model/text-parameters';
export { assembleTextParameters, textParameterEntries, textParameterSlots } from './model/text-parameters';
export type { TextBlocksResult } from './model/text-transformer';
export { ClipTextTransformer } from './model/text-transformer';
export type { ClipVisionParameters } from './model/vision-parameters';
export {
  assembleVisionParameters,
  visionParameterEntries,
  visionParameterSlots,
} from './model/vision-parameters';
export type {
  LocalFeaturesOptions,
  MapperOptions,
  VisionBlocksOptions,
  VisionBlocksResult,
  VisionLocalFeatures,
} from './model/vision-transformer';
export { ClipVisionTransformer } from './model/vision-transformer';
export { centerCrop } from './preprocessing/center-crop';
export { CLIP_MEAN, CLIP_STD } from './preprocessing/clip-normalization';
export type { ClipInputQuirk, GeneratedToClipOptions } from './preprocessing/generated-to-clip-input';
export { generatedImagesToClipInput } from './preprocessing/generated-to-clip-input';
export { resizeBicubicPil } from './preprocessing/pil-bicubic-resize';
export type { PreprocessPhotoOptions } from './preprocessing/preprocess-photo';
export { preprocessPhoto, preprocessPhotos } from './preprocessing/preprocess-photo';
export { resizeShortSide, shortSideSize } from './preprocessing/resize-short-side';
export type { RgbImage } from './preprocessing/rgb-image';
export { checkRgbImage, toRgbImage } from './preprocessing/rgb-image';
export { BpeVocabulary, CLIP_MERGE_COUNT, END_OF_TEXT, START_OF_TEXT } from './tokenizer/bpe-vocabulary';
export { loadClipVocabulary } from './tokenizer/bundled-vocabulary';
export { cleanText } from './tokenizer/clean-text';
export type {
  ClipTokenizerOptions,
  DecodeOptions,
  TokenizedTexts,
  TokenizeOptions,
} from './tokenizer/clip-tokenizer';
export { CLIP_CONTEXT_LENGTH, ClipTokenizer } from './tokenizer/clip-tokenizer';
export { fixText } from './tokenizer/fix-text';
export { splitWords } from './tokenizer/split-words';
export type { AdamWOptions } from './training/adamw';
export { AdamW } from './training/adamw';
export type {
  ClipTrainerCheckpoint,
  ClipTrainerFromConfigOptions,
  ClipTrainerOptions,
  ClipTrainStepResult,
} from './training/clip-trainer';
export { ClipTrainer } from './training/clip-trainer';
export { clipContrastiveLoss, diagonalTop1Accuracy } from './training/contrastive-loss';
export { cropToEndOfText, endOfTextLength } from './training/end-of-text-length';
export type { WarmupCosineOptions } from './training/learning-rate-schedule';
export { checkWarmupCosineOptions, warmupCosineLearningRate } from './training/learning-rate-schedule';
export {
  SHAPES_CLIP_BATCH_SIZE,
  SHAPES_CLIP_CONFIG,
  SHAPES_CLIP_WARMUP_STEPS,
  shapesClipTrainerOptions,
} from './training/shapes-clip-config';
export type { TrainableClip } from './training/trainable-clip';
export { frozenClipCopy, trainableClip } from './training/trainable-clip';
export type {
  CandidateTexts,
  PerImageZeroShotResult,
  PerImageZeroShotTask,
  ZeroShotOptions,
  ZeroShotResult,
  ZeroShotTask,
} from './training/zero-shot';
export { zeroShotAccuracy, zeroShotPerImageTasks, zeroShotTasks } from './training/zero-shot';
export type { ClipWeightNamingName, ClipWeightPart } from './weights/clip-weight-naming';
export { CLIP_WEIGHT_NAMINGS, detectClipWeightNaming } from './weights/clip-weight-namings';
export type { CompactTokenEmbedding } from './weights/compact-token-embedding';
export {
  COMPACT_TOKEN_EMBEDDING_METADATA,
  readCompactTokenEmbedding,
} from './weights/compact-token-embedding';
export { clipWeightsTokenIds } from './weights/compact-token-ids';
export type { ClipHeadsOptions } from './weights/infer-clip-config';
export type {
  LoadClipTextWeightsOptions,
  LoadClipVisionWeightsOptions,
  LoadClipWeightsBaseOptions,
  LoadClipWeightsOptions,
  LoadedClipWeights,
} from './weights/load-clip-weights';
export {
  inferClipConfig,
  loadClipTextWeights,
  loadClipVisionWeights,
  loadClipWeights,
} from './weights/load-clip-weights';
export type { ClipWeightsFile, SaveClipWeightsOptions } from './weights/save-clip-weights';
export {
  clipTextWeightsToSafetensors,
  clipVisionWeightsToSafetensors,
  clipWeightsToSafetensors,
} from './weights/save-clip-weights';
export type { ClipTensorSource, ClipWeightsInput } from './weights/tensor-source';
export { storedTensorSource, toTensorSource } from './weights/tensor-source';
export type { ClipSaveDtype } from './weights/write-stored-parameters';
