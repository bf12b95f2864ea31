export type { CheckpointState } from './checkpoint/checkpoint-format';
export {
  CHECKPOINT_FILES,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkCheckpointState,
  OPTIMIZER_PREFIXES,
} from './checkpoint/checkpoint-format';
export type {
  ImportedOfficialCheckpoint,
  ImportOfficialCheckpointOptions,
} from './checkpoint/import-official-checkpoint';
export { importOfficialCheckpoint } from './checkpoint/import-official-checkpoint';
export { inferOfficialOverrides } from './checkpoint/infer-official-config';
export type { LearningRates, LoadCheckpointOptions, LoadedCheckpoint } from './checkpoint/load-checkpoint';
export { loadCheckpoint } from './checkpoint/load-checkpoint';
export type { OfficialCheckpoint } from './checkpoint/official-checkpoint';
export { readOfficialCheckpoint } from './checkpoint/official-checkpoint';
export type { OfficialNetwork } from './checkpoint/official-optimizer-state';
export { parameterKeys, restoreOfficialAdamState } from './checkpoint/official-optimizer-state';
export type { SaveCheckpointOptions } from './checkpoint/save-checkpoint';
export { saveCheckpoint } from './checkpoint/save-checkpoint';
export {
  disposeStateDict,
  safetensorsToStateDict,
  stateDictToSafetensors,
  torchStateDictToTensors,
} from './checkpoint/state-dict-tensors';
export type {
  DeepPartial,
  RatlipConfig,
  RatlipConfigInput,
  RatlipConfigOverrides,
  ResolvedRatlipConfig,
} from './config/config-schema';
export {
  clipSectionSchema,
  clipTextSchema,
  clipVisionSchema,
  discriminatorSchema,
  emaSchema,
  generatorSchema,
  phraseAttentionSchema,
  ratlipConfigSchema,
  ratSchema,
  trainingSchema,
  wordAttentionSchema,
} from './config/config-schema';
export { generatorBlockChannels, generatorBlockSizes, netCKernelSizes } from './config/generator-layout';
export type { RatlipPreset, RatlipPresetName } from './config/presets';
export { RATLIP_PRESETS, ratlipPreset, ratlipPresetNames } from './config/presets';
export { deepMerge, OFFICIAL_OUTPUT_SIZE, parseRatlipConfig, resolveConfig } from './config/resolve-config';
export { captionPhrases, encodePhrases } from './model/caption-phrases';
export type { ClipImageFeatures, ClipImageFeaturesOptions } from './model/clip-image-features';
export { encodeImagesForDiscriminator } from './model/clip-image-features';
export type { GenerateOptions } from './model/generate';
export { toImageRange, toUint8Range } from './model/generate';
export type { GeneratorCaptions } from './model/generator-captions';
export {
  batchRows,
  encodeGeneratorCaptions,
  generatorCaptionTensors,
  mapGeneratorCaptions,
  readsPhrases,
  readsWords,
  tileBatch,
} from './model/generator-captions';
export { namedTensors, namedTrainableVariables } from './model/named-tensors';
export type { NetCParams } from './model/net-c';
export { exportNetCToStateDict, initNetC, loadNetCFromStateDict, netCForward } from './model/net-c';
export type { NetDOutputs, NetDParams } from './model/net-d';
export {
  exportNetDToStateDict,
  initNetD,
  loadNetDFromStateDict,
  netDForward,
  netDForwardWithIntermediates,
} from './model/net-d';
export type { ClipAdapterParams, NetGForwardOptions, NetGOutputs, NetGParams } from './model/net-g';
export {
  exportNetGToStateDict,
  initNetG,
  loadNetGFromStateDict,
  NET_G_CLIP_PREFIX,
  NET_G_RAT_PREFIX,
  netGForward,
  netGForwardWithIntermediates,
  netGPhraseAttentionPrefix,
  netGWordAttentionPrefix,
} from './model/net-g';
export type { NetGConfig } from './model/net-g-config';
export { netGConfigFrom } from './model/net-g-config';
export type {
  CreateRatlipGanOptions,
  RatlipGanOptions,
  RatlipParameterCounts,
  RatlipStateDicts,
} from './model/ratlip-gan';
export { RatlipGan } from './model/ratlip-gan';
export type { EncodedCaptions, SentenceEncoder } from './model/sentence-encoder';
export { clipSentenceEncoder } from './model/sentence-encoder';
export type { AdamOptions } from './train/adam';
export { AdamOptimizer } from './train/adam';
export { GeneratorEma } from './train/generator-ema';
export type {
  ClipContrastTerm,
  DiscriminatorLosses,
  GeneratorLosses,
  GeneratorLossTerms,
  MaGpOptions,
  MaGpResult,
  RealDiscrimination,
  ReconstructionTerm,
} from './train/losses';
export {
  clipContrastLoss,
  cosineSimilarity,
  discriminateReal,
  discriminatorLosses,
  foregroundPixelWeights,
  generatorLosses,
  hingeFakeLoss,
  hingeRealLoss,
  matchingAwareGradientPenalty,
  reconstructionLoss,
  rollBatch,
  rowSum,
} from './train/losses';
export { NonFiniteLossError } from './train/non-finite-loss-error';
export type {
  ClipContrastOptions,
  RatlipTrainerOptions,
  ReconstructionForegroundOf,
  ReconstructionOptions,
  ReplicaMean,
  TrainBatch,
  TrainerState,
  TrainStepGradientNorms,
  TrainStepLosses,
  TrainStepResult,
} from './train/ratlip-trainer';
export {
  DEFAULT_FOREGROUND_THRESHOLD,
  RatlipTrainer,
  RECONSTRUCTION_FOREGROUND_OF,
} from './train/ratlip-trainer';
export type { ExportWebModelOptions } from './web-model/export-web-model';
export { exportWebModel } from './web-model/export-web-model';
export { WebModelFormatError } from './web-model/json-fields';
export type { ModelIndex, ModelIndexEntry, UpsertModelIndexEntryOptions } from './web-model/model-index';
export {
  formatModelIndex,
  isModelIndexId,
  MODEL_INDEX_FORMAT_VERSION,
  parseModelIndex,
  parseModelIndexText,
  upsertModelIndexEntry,
} from './web-model/model-index';
export { sha256Hex, sha256HexSync } from './web-model/sha256';
export type {
  WebModelFile,
  WebModelFileRole,
  WebModelManifest,
  WebModelProvenance,
  WebModelTokenizer,
} from './web-model/web-model-manifest';
export {
  parseWebModelManifest,
  parseWebModelManifestText,
  WEB_MODEL_DEFAULT_FILE_NAMES,
  WEB_MODEL_FILE_ROLES,
  WEB_MODEL_FORMAT,
  WEB_MODEL_FORMAT_VERSION,
  WEB_MODEL_MANIFEST_FILE,
  WEB_MODEL_MAX_SAMPLE_CAPTIONS,
} from './web-model/web-model-manifest';
export type {
  ReadWebModelFolderOptions,
  WebModelBytes,
  WebModelFileRequest,
  WebModelFileSource,
  WebModelReadProgress,
} from './web-model/web-model-reader';
export { readWebModelFolder, verifyWebModelFile } from './web-model/web-model-reader';
export type { BuildWebModelOptions, WebModelFolder } from './web-model/web-model-writer';
export { buildWebModel } from './web-model/web-model-writer';
