import type { ClipVisionTransformer } from '@ratlip/clip';
import {
  type Conv2dParams,
  conv2dForward,
  exportConv2dToStateDict,
  exportGBlockToStateDict,
  exportLinearToStateDict,
  exportMBlockToStateDict,
  exportPhraseAttentionToStateDict,
  exportPlaceModulationToStateDict,
  exportRecurrentAffineChainToStateDict,
  exportWordAttentionToStateDict,
  exportWordContextToStateDict,
  type GBlockParams,
  type GBlockPlaces,
  gBlockForward,
  initConv2d,
  initGBlock,
  initLinear,
  initMBlock,
  initPhraseAttention,
  initPlaceModulation,
  initRecurrentAffineChain,
  initWordAttention,
  initWordContext,
  type LinearParams,
  linearForward,
  loadConv2dFromStateDict,
  loadGBlockFromStateDict,
  loadLinearFromStateDict,
  loadMBlockFromStateDict,
  loadPhraseAttentionFromStateDict,
  loadPlaceModulationFromStateDict,
  loadRecurrentAffineChainFromStateDict,
  loadWordAttentionFromStateDict,
  loadWordContextFromStateDict,
  type MBlockParams,
  type MutableStateDict,
  mBlockForward,
  mergeStateDicts,
  nearestUpsample,
  type PhraseAttentionParams,
  type PhraseEmbeddings,
  type PhraseMixture,
  type PlaceModulationParams,
  phraseAttentionWeights,
  placeModulationForward,
  RecurrentAffineChain,
  type RecurrentAffineChainParams,
  type StateDict,
  type WordAttentionParams,
  type WordContextParams,
  type WordFeatures,
  wordAttentionRead,
  wordContextForward,
} from '@ratlip/rat-blocks';
import { leakyRelu, type SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import { adapterAffineKind, blockConvKindOf, type NetGConfig, netGConfigFrom } from './net-g-config';

/** Slope of the leaky ReLU before to_rgb's conv. */
const TO_RGB_SLOPE = 0.2;

/**
 * The official `CLIP_Adapter` (state-dict prefix `mapping.`): M-blocks on the noise code, `conv_fuse`
 * to the CLIP width, the prompt projection, and the conv after `F + 0.1 M`. The frozen CLIP mapper is
 * not part of it (it is the user's CLIP image tower, passed to the forward).
 */
export interface ClipAdapterParams {
  /** `mapping.FBlocks.<i>.` */
  readonly blocks: readonly MBlockParams[];
  /** `mapping.conv_fuse.`: code channels -> CLIP width, 5 x 5. */
  readonly convFuse: Conv2dParams;
  /** `mapping.conv.`: CLIP width -> first G-block channels, 5 x 5. */
  readonly conv: Conv2dParams;
  /** `mapping.fc_prompt.`: condition -> prompts x CLIP width. */
  readonly fcPrompt: LinearParams;
  /** `mapping.rat.`: the shared LSTM cell of paper-mode RAT (absent in legacy mode and in GALIP). */
  readonly rat?: RecurrentAffineChainParams;
}

/** The official `NetG`, channels-last. */
export interface NetGParams {
  readonly config: NetGConfig;
  /** `fc_code.`: noise -> code. */
  readonly fcCode: LinearParams;
  /** `mapping.` */
  readonly adapter: ClipAdapterParams;
  /** `GBlocks.<i>.` */
  readonly blocks: readonly GBlockParams[];
  /** `to_rgb.1.`: 3 x 3 conv to image channels. */
  readonly toRgb: Conv2dParams;
  /**
   * `word_attention.<i>.` (not in official checkpoints): the word attention after G-block i, one per
   * entry of `config.wordAttentionBlocks`, in that order.
   */
  readonly wordAttention: readonly WordAttentionParams[];
  /**
   * Word-context layers (not in RATLIP; `generator.wordAttention.contextLayers`), applied in order to
   * the word features before any word attention reads them.
   */
  readonly wordContext: readonly WordContextParams[];
  /**
   * Place modulations (not in RATLIP; `generator.wordAttention.placeModulation`), one per G-block that
   * follows a word attention, keyed by that G-block's index (a plain record, so the parameter walkers
   * see it): what the attention read modulates its affines.
   */
  readonly placeModulation: Readonly<Record<number, PlaceModulationParams>>;
  /**
   * Phrase attentions (not in RATLIP; `generator.phraseAttention`), keyed by the G-block whose affines
   * they drive (a plain record, as `placeModulation`): where each place takes which phrase's modulation.
   */
  readonly phraseAttention: Readonly<Record<number, PhraseAttentionParams>>;
}

/** Prefix of the official generator's embedded CLIP tower in its state dict. */
export const NET_G_CLIP_PREFIX = 'mapping.CLIP_ViT.';

/** Prefix of the paper-mode RAT cell in the generator's state dict (not in official checkpoints). */
export const NET_G_RAT_PREFIX = 'mapping.rat.';

/** State-dict prefix of the word attention after G-block `block` (not in official checkpoints). */
export function netGWordAttentionPrefix(block: number): string {
  return `word_attention.${block}.`;
}

/** State-dict prefix of the place modulation of G-block `block` (not in official checkpoints). */
export function netGPlaceModulationPrefix(block: number): string {
  return `place_modulation.${block}.`;
}

/** G-blocks whose affines a place modulation drives: each one right after a word attention. */
function placeModulatedBlocks(config: ResolvedRatlipConfig): number[] {
  const { wordAttention, blockChannels } = config.generator;
  if (!wordAttention.placeModulation) return [];
  return wordAttention.blocks.map((block) => block + 1).filter((block) => block < blockChannels.length);
}

/** State-dict prefix of the phrase attention of G-block `block` (not in official checkpoints). */
export function netGPhraseAttentionPrefix(block: number): string {
  return `phrase_attention.${block}.`;
}

/** State-dict prefix of word-context layer `layer` (not in official checkpoints). */
export function netGWordContextPrefix(layer: number): string {
  return `word_context.${layer}.`;
}

/** PyTorch-default initialisation of a generator for `config` (identity affine heads, as the reference). */
export function initNetG(config: ResolvedRatlipConfig, rng: SeededRandom): NetGParams {
  const netConfig = netGConfigFrom(config);
  const g = config.generator;
  const condDim = g.noiseDim + netConfig.sentenceDim;
  const width = netConfig.clipWidth;
  const affine = adapterAffineKind(netConfig);
  const convKind = blockConvKindOf(netConfig);
  const fcCode = initLinear(g.noiseDim, g.codeChannels * g.codeSize * g.codeSize, rng);
  const blocks = Array.from({ length: g.adapterBlocks }, () =>
    initMBlock(
      {
        inChannels: g.codeChannels,
        midChannels: g.midChannels,
        outChannels: g.codeChannels,
        condDim,
        affine,
        convKind,
        hiddenSize: g.rat.hiddenSize,
        kernelSize: g.adapterKernel,
      },
      rng,
    ),
  );
  const firstChannels = g.blockChannels[0]![0];
  const adapter: ClipAdapterParams = {
    blocks,
    convFuse: initConv2d(g.codeChannels, width, rng, { kernelSize: g.fuseKernel }),
    conv: initConv2d(width, firstChannels, rng, { kernelSize: g.fuseKernel }),
    fcPrompt: initLinear(condDim, config.clip.promptBlocks.length * width, rng),
    ...(affine === 'recurrent'
      ? {
          rat: initRecurrentAffineChain(condDim, g.rat.hiddenSize, rng, {
            initialState: g.rat.initialState,
            noiseDim: g.noiseDim,
          }),
        }
      : {}),
  };
  const gBlocks = g.blockChannels.map(([inChannels, outChannels], i) =>
    initGBlock({ inChannels, outChannels, condDim, size: g.blockSizes[i]!, convKind }, rng),
  );
  const lastChannels = g.blockChannels[g.blockChannels.length - 1]![1];
  const toRgb = initConv2d(lastChannels, config.imageChannels, rng, { kernelSize: 3 });
  // Drawn last, so a generator with word attention starts with the same other weights as one without.
  const wordAttention = g.wordAttention.blocks.map((block) =>
    initWordAttention(
      {
        channels: g.blockChannels[block]![1],
        wordWidth: netConfig.wordWidth,
        keyDim: g.wordAttention.keyDim,
        valueGain: g.wordAttention.valueGain,
        scoreGain: g.wordAttention.scoreGain,
        positionQuery: g.wordAttention.positionQuery,
      },
      rng,
    ),
  );
  // Drawn after word attention, so adding context layers leaves every other initial weight as it was.
  const wordContext = Array.from({ length: g.wordAttention.contextLayers }, () =>
    initWordContext(
      {
        width: netConfig.wordWidth,
        heads: g.wordAttention.contextHeads,
        valueGain: g.wordAttention.valueGain,
        scoreGain: g.wordAttention.scoreGain,
      },
      rng,
    ),
  );
  const placeModulation = Object.fromEntries(
    placeModulatedBlocks(config).map((block) => {
      const [inChannels, outChannels] = g.blockChannels[block]!;
      const readWidth = g.blockChannels[block - 1]![1];
      return [
        block,
        initPlaceModulation({ readWidth, inChannels, outChannels, gain: g.wordAttention.placeGain }),
      ];
    }),
  );
  // Drawn last, so adding phrase attention leaves every other initial weight as it was.
  const phraseAttention = Object.fromEntries(
    g.phraseAttention.blocks.map((block) => [
      block,
      initPhraseAttention(
        {
          channels: g.blockChannels[block]![0],
          phraseWidth: netConfig.sentenceDim,
          keyDim: g.phraseAttention.keyDim,
          scoreGain: g.phraseAttention.scoreGain,
        },
        rng,
      ),
    ]),
  );
  return {
    config: netConfig,
    fcCode,
    adapter,
    blocks: gBlocks,
    toRgb,
    wordAttention,
    wordContext,
    placeModulation,
    phraseAttention,
  };
}

/** Options of the generator forward. */
export interface NetGForwardOptions {
  /** BatchNorm uses batch statistics and updates its running statistics (training). Default false. */
  training?: boolean;
  /**
   * The captions' word features (CLIP text tokens after `ln_final`, `[batch, words, text width]`) and
   * mask, for a generator with word attention (`generator.wordAttention.blocks`); required there,
   * ignored otherwise.
   */
  words?: WordFeatures;
  /**
   * The captions' phrases as sentence embeddings (`[batch, phrases, sentenceDim]`) and their mask, for a
   * generator with phrase attention (`generator.phraseAttention.blocks`); required there, ignored otherwise.
   */
  phrases?: PhraseEmbeddings;
}

/** Intermediates of {@link netGForwardWithIntermediates}, named as the fixtures' `io.*` tensors. */
export interface NetGOutputs {
  /** The generated images `[batch, outputSize, outputSize, channels]`, unbounded (no tanh). */
  readonly image: tf.Tensor4D;
  /**
   * `fc_code_out` `[batch, code, code, codeChannels]`, `prompts` `[batch, prompts, width]`,
   * `m_block<i>_out`, `conv_fuse_out` (F), `mapper_out` (M), `mapping_out`, `g_block<i>_out`.
   */
  readonly intermediates: Record<string, tf.Tensor>;
}

function checkInputs(
  params: NetGParams,
  vision: ClipVisionTransformer,
  noise: tf.Tensor,
  sentence: tf.Tensor,
  options: NetGForwardOptions,
) {
  const {
    noiseDim,
    sentenceDim,
    clipWidth,
    codeSize,
    wordAttentionBlocks,
    wordWidth,
    phraseAttentionBlocks,
  } = params.config;
  const batch = noise.shape[0];
  if (noise.rank !== 2 || noise.shape[1] !== noiseDim) {
    throw new Error(`NetG: noise must be [batch, ${noiseDim}], got [${noise.shape.join(', ')}]`);
  }
  if (sentence.rank !== 2 || sentence.shape[0] !== batch || sentence.shape[1] !== sentenceDim) {
    throw new Error(`NetG: sentence must be [${batch}, ${sentenceDim}], got [${sentence.shape.join(', ')}]`);
  }
  if (wordAttentionBlocks.length > 0) {
    const features = options.words?.features;
    if (!features) {
      throw new Error(
        `NetG: this generator attends over word features after G-blocks ${wordAttentionBlocks.join(', ')}; pass options.words`,
      );
    }
    if (features.rank !== 3 || features.shape[0] !== batch || features.shape[2] !== wordWidth) {
      throw new Error(
        `NetG: word features must be [${batch}, words, ${wordWidth}], got [${features.shape.join(', ')}]`,
      );
    }
  }
  if (phraseAttentionBlocks.length > 0) {
    const phrases = options.phrases;
    if (!phrases) {
      throw new Error(
        `NetG: the affines of G-blocks ${phraseAttentionBlocks.join(', ')} read the captions' phrases; pass options.phrases`,
      );
    }
    const { embeddings, mask } = phrases;
    if (
      embeddings.rank !== 3 ||
      embeddings.shape[0] !== batch ||
      embeddings.shape[2] !== sentenceDim ||
      mask.rank !== 2 ||
      mask.shape[0] !== batch ||
      mask.shape[1] !== embeddings.shape[1]
    ) {
      throw new Error(
        `NetG: phrases must be embeddings [${batch}, phrases, ${sentenceDim}] and mask [${batch}, phrases], got [${embeddings.shape.join(', ')}] and [${mask.shape.join(', ')}]`,
      );
    }
  }
  if (vision.config.width !== clipWidth || vision.gridSize !== codeSize) {
    throw new Error(
      `NetG: the CLIP image tower (width ${vision.config.width}, grid ${vision.gridSize}) does not fit this generator ` +
        `(width ${clipWidth}, grid ${codeSize})`,
    );
  }
}

/** Each phrase's condition `[noise, phrase]`, `[batch, phrases, noiseDim + sentenceDim]`. */
function phraseConditions(noise: tf.Tensor, phrases: PhraseEmbeddings): tf.Tensor3D {
  const [batch, count] = phrases.mask.shape;
  const perPhraseNoise = tf.tile(tf.reshape(noise, [batch, 1, -1]), [1, count, 1]);
  return tf.concat([perPhraseNoise, phrases.embeddings], 2) as tf.Tensor3D;
}

function run(
  params: NetGParams,
  vision: ClipVisionTransformer,
  noise: tf.Tensor,
  sentence: tf.Tensor,
  options: NetGForwardOptions,
  record: ((name: string, tensor: tf.Tensor) => void) | undefined,
): tf.Tensor4D {
  const { config, adapter } = params;
  const batch = noise.shape[0]!;
  const training = options.training ?? false;
  const cond = tf.concat([noise, sentence], 1);
  // PyTorch views the code as [batch, channels, code, code]; move channels last.
  const code = linearForward(params.fcCode, noise)
    .reshape([batch, config.codeChannels, config.codeSize, config.codeSize])
    .transpose([0, 2, 3, 1]) as tf.Tensor4D;
  record?.('fc_code_out', code);
  const prompts = linearForward(adapter.fcPrompt, cond).reshape([
    batch,
    config.promptBlocks.length,
    config.clipWidth,
  ]) as tf.Tensor3D;
  record?.('prompts', prompts);
  const chain = adapter.rat
    ? RecurrentAffineChain.start(adapter.rat, { batchSize: batch, noise })
    : undefined;
  let h: tf.Tensor4D = code;
  adapter.blocks.forEach((block, i) => {
    h = mBlockForward(block, h, cond, { training, chain });
    record?.(`m_block${i}_out`, h);
  });
  const fused = conv2dForward(adapter.convFuse, h);
  record?.('conv_fuse_out', fused);
  const mapped = vision.mapFeatures(fused, prompts, { promptBlocks: config.promptBlocks });
  record?.('mapper_out', mapped);
  h = conv2dForward(adapter.conv, tf.add(fused, tf.mul(mapped, config.mapperScale)));
  record?.('mapping_out', h);
  const words = params.wordContext.reduce(
    (features, layer) => wordContextForward(layer, features),
    options.words!,
  );
  const phraseConds =
    config.phraseAttentionBlocks.length > 0 ? phraseConditions(noise, options.phrases!) : undefined;
  let places: GBlockPlaces | undefined;
  params.blocks.forEach((block, i) => {
    const phraseAttention = params.phraseAttention[i];
    // Each place of the block's upsampled map weighs the phrases.
    const phrases: PhraseMixture | undefined =
      phraseConds && phraseAttention
        ? {
            conds: phraseConds,
            weights: phraseAttentionWeights(
              phraseAttention,
              nearestUpsample(h, block.config.size),
              options.phrases!,
            ),
          }
        : undefined;
    h = gBlockForward(block, h, cond, {
      training,
      ...(places ? { places } : {}),
      ...(phrases ? { phrases } : {}),
    });
    places = undefined;
    const attention = config.wordAttentionBlocks.indexOf(i);
    if (attention >= 0) {
      const attentionParams = params.wordAttention[attention]!;
      const read = wordAttentionRead(attentionParams, h, words);
      h = tf.add(h, tf.mul(read, attentionParams.config.valueGain)) as tf.Tensor4D;
      const next = params.placeModulation[i + 1];
      // The next block's affines get, at each place, what this attention read there.
      if (next)
        places = placeModulationForward(next, nearestUpsample(read, params.blocks[i + 1]!.config.size));
    }
    record?.(`g_block${i}_out`, h);
  });
  return conv2dForward(params.toRgb, leakyRelu(h, TO_RGB_SLOPE));
}

/**
 * The generator: `G(z, s)` with the frozen CLIP image tower as the mapper.
 * @param vision the CLIP image tower (its `mapFeatures`), frozen; gradients flow through it.
 * @param noise `[batch, noiseDim]`.
 * @param sentence `[batch, sentenceDim]`, the (unnormalised) CLIP sentence embedding.
 * @returns `[batch, outputSize, outputSize, channels]`, unbounded (no tanh).
 */
export function netGForward(
  params: NetGParams,
  vision: ClipVisionTransformer,
  noise: tf.Tensor,
  sentence: tf.Tensor,
  options: NetGForwardOptions = {},
): tf.Tensor4D {
  checkInputs(params, vision, noise, sentence, options);
  return tf.tidy(() => run(params, vision, noise, sentence, options, undefined));
}

/** Like {@link netGForward}, also returning every intermediate the fixtures check. */
export function netGForwardWithIntermediates(
  params: NetGParams,
  vision: ClipVisionTransformer,
  noise: tf.Tensor,
  sentence: tf.Tensor,
  options: NetGForwardOptions = {},
): NetGOutputs {
  checkInputs(params, vision, noise, sentence, options);
  return tf.tidy(() => {
    const intermediates: Record<string, tf.Tensor> = {};
    const image = run(params, vision, noise, sentence, options, (name, tensor) => {
      intermediates[name] = tensor;
    });
    return { image, intermediates };
  });
}

/**
 * Reads a generator from official `NetG` state-dict keys (`fc_code.*`, `mapping.*`, `GBlocks.*`,
 * `to_rgb.1.*`); `mapping.CLIP_ViT.*` is ignored (the tower comes from the user's CLIP weights).
 * @param config the resolved config; its `generator.rat.mode` must match the stored affines
 *   ('legacy' for official RATLIP checkpoints).
 */
export function loadNetGFromStateDict(dict: StateDict, config: ResolvedRatlipConfig): NetGParams {
  const netConfig = netGConfigFrom(config);
  const g = config.generator;
  const affine = adapterAffineKind(netConfig);
  const blocks = Array.from({ length: g.adapterBlocks }, (_, i) =>
    loadMBlockFromStateDict(dict, `mapping.FBlocks.${i}.`, { affine }),
  );
  const adapter: ClipAdapterParams = {
    blocks,
    convFuse: loadConv2dFromStateDict(dict, 'mapping.conv_fuse.'),
    conv: loadConv2dFromStateDict(dict, 'mapping.conv.'),
    fcPrompt: loadLinearFromStateDict(dict, 'mapping.fc_prompt.'),
    ...(affine === 'recurrent' ? { rat: loadRecurrentAffineChainFromStateDict(dict, NET_G_RAT_PREFIX) } : {}),
  };
  return {
    config: netConfig,
    fcCode: loadLinearFromStateDict(dict, 'fc_code.'),
    adapter,
    blocks: g.blockSizes.map((size, i) => loadGBlockFromStateDict(dict, `GBlocks.${i}.`, { size })),
    toRgb: loadConv2dFromStateDict(dict, 'to_rgb.1.'),
    wordAttention: g.wordAttention.blocks.map((block) =>
      loadWordAttentionFromStateDict(dict, netGWordAttentionPrefix(block), {
        valueGain: g.wordAttention.valueGain,
        scoreGain: g.wordAttention.scoreGain,
        positionQuery: g.wordAttention.positionQuery,
      }),
    ),
    wordContext: Array.from({ length: g.wordAttention.contextLayers }, (_, layer) =>
      loadWordContextFromStateDict(dict, netGWordContextPrefix(layer), {
        heads: g.wordAttention.contextHeads,
        valueGain: g.wordAttention.valueGain,
        scoreGain: g.wordAttention.scoreGain,
      }),
    ),
    placeModulation: Object.fromEntries(
      placeModulatedBlocks(config).map((block) => [
        block,
        loadPlaceModulationFromStateDict(dict, netGPlaceModulationPrefix(block), {
          gain: g.wordAttention.placeGain,
        }),
      ]),
    ),
    phraseAttention: Object.fromEntries(
      g.phraseAttention.blocks.map((block) => [
        block,
        loadPhraseAttentionFromStateDict(dict, netGPhraseAttentionPrefix(block), {
          scoreGain: g.phraseAttention.scoreGain,
        }),
      ]),
    ),
  };
}

/**
 * Writes the official `NetG` keys (PyTorch layouts; new tensors the caller disposes), without the
 * embedded CLIP tower (`mapping.CLIP_ViT.*`); paper-mode RAT adds `mapping.rat.*`, word attention
 * `word_attention.<block>.*`, word context `word_context.<layer>.*`, place modulation
 * `place_modulation.<block>.*` and phrase attention `phrase_attention.<block>.*`.
 */
export function exportNetGToStateDict(params: NetGParams): MutableStateDict {
  const { adapter } = params;
  return mergeStateDicts(
    exportLinearToStateDict(params.fcCode, 'fc_code.'),
    ...adapter.blocks.map((block, i) => exportMBlockToStateDict(block, `mapping.FBlocks.${i}.`)),
    exportConv2dToStateDict(adapter.convFuse, 'mapping.conv_fuse.'),
    exportConv2dToStateDict(adapter.conv, 'mapping.conv.'),
    exportLinearToStateDict(adapter.fcPrompt, 'mapping.fc_prompt.'),
    ...(adapter.rat ? [exportRecurrentAffineChainToStateDict(adapter.rat, NET_G_RAT_PREFIX)] : []),
    ...params.blocks.map((block, i) => exportGBlockToStateDict(block, `GBlocks.${i}.`)),
    exportConv2dToStateDict(params.toRgb, 'to_rgb.1.'),
    ...params.wordAttention.map((attention, k) =>
      exportWordAttentionToStateDict(
        attention,
        netGWordAttentionPrefix(params.config.wordAttentionBlocks[k]!),
      ),
    ),
    ...params.wordContext.map((layer, k) => exportWordContextToStateDict(layer, netGWordContextPrefix(k))),
    ...Object.entries(params.placeModulation).map(([block, modulation]) =>
      exportPlaceModulationToStateDict(modulation, netGPlaceModulationPrefix(Number(block))),
    ),
    ...Object.entries(params.phraseAttention).map(([block, attention]) =>
      exportPhraseAttentionToStateDict(attention, netGPhraseAttentionPrefix(Number(block))),
    ),
  );
}
