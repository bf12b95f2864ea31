export type {
  AffineForwardOptions,
  AffineInitConfig,
  AffineKind,
  AffineParams,
} from './blocks/affine-kinds';
export {
  AFFINE_KINDS,
  affineForward,
  affineModulation,
  DEFAULT_RAT_HIDDEN_SIZE,
  exportAffineToStateDict,
  initAffine,
  loadAffineFromStateDict,
} from './blocks/affine-kinds';
export type {
  BlockConvForwardOptions,
  BlockConvInitOptions,
  BlockConvKind,
  BlockConvLoadOptions,
  BlockConvParams,
} from './blocks/block-conv';
export {
  BLOCK_CONV_KIND_NAMES,
  blockConvForward,
  blockConvKind,
  exportBlockConvToStateDict,
  initBlockConv,
  isConvShuffle,
  loadBlockConvFromStateDict,
} from './blocks/block-conv';
export type { ConditionalBlockForwardOptions } from './blocks/block-forward-options';
export type { ConditionalAffineParams } from './blocks/conditional-affine';
export {
  CONDITIONAL_AFFINE_HEAD_KEYS,
  conditionalAffineForward,
  conditionalAffineModulation,
  conditionalAffineSizes,
  exportConditionalAffineToStateDict,
  initConditionalAffine,
  loadConditionalAffineFromStateDict,
} from './blocks/conditional-affine';
export type {
  ConvShuffleConfig,
  ConvShuffleForwardOptions,
  ConvShuffleInitOptions,
  ConvShuffleLoadOptions,
  ConvShuffleParams,
} from './blocks/conv-shuffle';
export {
  convShuffleForward,
  convShuffleOutChannels,
  convShufflePreAttention,
  exportConvShuffleToStateDict,
  initConvShuffle,
  loadConvShuffleFromStateDict,
} from './blocks/conv-shuffle';
export type { DBlockConfig, DBlockInitConfig, DBlockLoadOptions, DBlockParams } from './blocks/d-block';
export {
  dBlockForward,
  dBlockHasLearnedShortcut,
  dBlockResidual,
  exportDBlockToStateDict,
  initDBlock,
  loadDBlockFromStateDict,
} from './blocks/d-block';
export type {
  DfBlockConfig,
  DfBlockForwardOptions,
  DfBlockInitConfig,
  DfBlockLoadOptions,
  DfBlockOutputs,
  DfBlockParams,
  DfBlockPlaces,
} from './blocks/df-block';
export {
  dfBlockForward,
  dfBlockForwardWithIntermediates,
  exportDfBlockToStateDict,
  initDfBlock,
  loadDfBlockFromStateDict,
} from './blocks/df-block';
export type {
  GBlockConfig,
  GBlockForwardOptions,
  GBlockInitConfig,
  GBlockLoadOptions,
  GBlockOutputs,
  GBlockParams,
  GBlockPlaces,
} from './blocks/g-block';
export {
  exportGBlockToStateDict,
  gBlockForward,
  gBlockForwardWithIntermediates,
  initGBlock,
  loadGBlockFromStateDict,
} from './blocks/g-block';
export type { MBlockInitConfig, MBlockLoadOptions, MBlockOutputs, MBlockParams } from './blocks/m-block';
export {
  exportMBlockToStateDict,
  initMBlock,
  loadMBlockFromStateDict,
  mBlockForward,
  mBlockForwardWithResidual,
} from './blocks/m-block';
export type { Modulation, PhraseMixture, PlaceModulation } from './blocks/modulation';
export { applyModulation, applyPhraseModulation } from './blocks/modulation';
export type { SpatialSize } from './blocks/nearest-upsample';
export { nearestUpsample, spatialSize } from './blocks/nearest-upsample';
export type {
  PhraseAttentionConfig,
  PhraseAttentionParams,
  PhraseEmbeddings,
} from './blocks/phrase-attention';
export {
  exportPhraseAttentionToStateDict,
  initPhraseAttention,
  loadPhraseAttentionFromStateDict,
  phraseAttentionConfig,
  phraseAttentionWeights,
} from './blocks/phrase-attention';
export type { PlaceModulationConfig, PlaceModulationParams } from './blocks/place-modulation';
export {
  exportPlaceModulationToStateDict,
  gBlockPlacesTensors,
  initPlaceModulation,
  loadPlaceModulationFromStateDict,
  placeModulationConfig,
  placeModulationForward,
} from './blocks/place-modulation';
export type {
  LegacyRecurrentAffineParams,
  LegacyRecurrentModulation,
  RecurrentAffineForwardOptions,
  RecurrentAffineParams,
} from './blocks/recurrent-affine';
export {
  exportLegacyRecurrentAffineToStateDict,
  exportRecurrentAffineToStateDict,
  initLegacyRecurrentAffine,
  initRecurrentAffine,
  legacyRecurrentAffineForward,
  legacyRecurrentAffineModulation,
  loadLegacyRecurrentAffineFromStateDict,
  loadRecurrentAffineFromStateDict,
  RECURRENT_AFFINE_HEAD_KEYS,
  recurrentAffineChannels,
  recurrentAffineForward,
  recurrentAffineModulation,
} from './blocks/recurrent-affine';
export type {
  RecurrentAffineChainConfig,
  RecurrentAffineChainInitOptions,
  RecurrentAffineChainParams,
  RecurrentAffineChainStartOptions,
  RecurrentInitialState,
} from './blocks/recurrent-affine-chain';
export {
  exportRecurrentAffineChainToStateDict,
  initRecurrentAffineChain,
  loadRecurrentAffineChainFromStateDict,
  RecurrentAffineChain,
  tidyWithChain,
} from './blocks/recurrent-affine-chain';
export type { ShuffleAttentionParams } from './blocks/shuffle-attention';
export {
  exportShuffleAttentionToStateDict,
  initShuffleAttention,
  loadShuffleAttentionFromStateDict,
  SHUFFLE_ATTENTION_EPS,
  SHUFFLE_ATTENTION_GROUPS,
  shuffleAttentionForward,
} from './blocks/shuffle-attention';
export type { WordAttentionConfig, WordAttentionParams, WordFeatures } from './blocks/word-attention';
export {
  exportWordAttentionToStateDict,
  initWordAttention,
  loadWordAttentionFromStateDict,
  wordAttentionConfig,
  wordAttentionForward,
  wordAttentionRead,
} from './blocks/word-attention';
export type { WordContextConfig, WordContextParams } from './blocks/word-context';
export {
  exportWordContextToStateDict,
  initWordContext,
  loadWordContextFromStateDict,
  wordContextConfig,
  wordContextForward,
} from './blocks/word-context';
export type { BatchNormConfig, BatchNormForwardOptions, BatchNormParams } from './core/batch-norm';
export {
  batchNormForward,
  exportBatchNormToStateDict,
  initBatchNorm,
  loadBatchNormFromStateDict,
} from './core/batch-norm';
export type { Conv2dConfig, Conv2dInitOptions, Conv2dParams } from './core/conv2d';
export {
  conv2dForward,
  conv2dOutChannels,
  exportConv2dToStateDict,
  initConv2d,
  loadConv2dFromStateDict,
} from './core/conv2d';
export type { LinearInitOptions, LinearParams } from './core/linear';
export { exportLinearToStateDict, initLinear, linearForward, loadLinearFromStateDict } from './core/linear';
export type { LstmCellParams, LstmSequenceResult, LstmState } from './core/lstm-cell';
export {
  exportLstmCellToStateDict,
  initLstmCell,
  loadLstmCellFromStateDict,
  lstmCellStep,
  lstmHiddenSize,
  lstmInputSize,
  lstmSequence,
} from './core/lstm-cell';
export type { MlpHeadKeyNames, MlpHeadParams } from './core/mlp-head';
export {
  exportMlpHeadToStateDict,
  initMlpHead,
  loadMlpHeadFromStateDict,
  mlpHeadChannels,
  mlpHeadForward,
  mlpHeadInFeatures,
} from './core/mlp-head';
export type { ParamTree } from './core/param-tree';
export { countTrainableParameters, disposeParams, paramTensors, trainableVariables } from './core/param-tree';
export { pytorchDefaultBound, uniformTensor } from './core/pytorch-init';
export type { MutableStateDict, StateDict } from './core/state-dict';
export { mergeStateDicts, stateDictHas, stateDictTensor } from './core/state-dict';
export type { AffineCondition } from './layers/affine-heads-layer';
export { AffineHeadsLayer } from './layers/affine-heads-layer';
export { ConditionalAffineLayer } from './layers/conditional-affine-layer';
export type { BaseLayerArgs, LayerShape, SeededLayerArgs } from './layers/rat-blocks-layer';
export { RatBlocksLayer } from './layers/rat-blocks-layer';
export type { RatCellLayerArgs } from './layers/rat-cell-layer';
export { RatCellLayer } from './layers/rat-cell-layer';
export type { RatInitialStateLayerArgs } from './layers/rat-initial-state-layer';
export { RatInitialStateLayer } from './layers/rat-initial-state-layer';
export type { RatLayerChainOptions } from './layers/rat-layer-chain';
export { RatLayerChain } from './layers/rat-layer-chain';
export { RatModulationLayer } from './layers/rat-modulation-layer';
export { RAT_BLOCKS_LAYER_CLASSES, registerRatBlocksLayers } from './layers/register-layers';
export type { ShuffleAttentionLayerArgs } from './layers/shuffle-attention-layer';
export { ShuffleAttentionLayer } from './layers/shuffle-attention-layer';
