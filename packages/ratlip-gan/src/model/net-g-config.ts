import type { AffineKind, BlockConvKind } from '@ratlip/rat-blocks';
import type { ResolvedRatlipConfig } from '../config/config-schema';

/** What the generator's forward needs to know that its tensors do not say. */
export interface NetGConfig {
  readonly architecture: 'ratlip' | 'galip';
  /** Noise size z. */
  readonly noiseDim: number;
  /** Sentence embedding size. */
  readonly sentenceDim: number;
  /** Channels and side of the noise code `[batch, codeSize, codeSize, codeChannels]`. */
  readonly codeChannels: number;
  readonly codeSize: number;
  /** CLIP token width (mapper and prompt width). */
  readonly clipWidth: number;
  /** CLIP blocks that receive a prompt token, one per prompt. */
  readonly promptBlocks: readonly number[];
  /** Weight of the mapper output in conv(F + scale * M). */
  readonly mapperScale: number;
  /** RAT mode of the adapter (RATLIP only). */
  readonly ratMode: 'paper' | 'legacy';
  /** Nearest-upsample side of each G-block. */
  readonly blockSizes: readonly number[];
  /** G-blocks whose output attends over the caption's word features (none: the official generator). */
  readonly wordAttentionBlocks: readonly number[];
  /** Width of the word features (CLIP's text width). */
  readonly wordWidth: number;
  /** G-blocks whose affines mix the modulations of the caption's phrases per place (none: the official generator). */
  readonly phraseAttentionBlocks: readonly number[];
}

/** The generator slice of a resolved config. */
export function netGConfigFrom(config: ResolvedRatlipConfig): NetGConfig {
  const g = config.generator;
  return {
    architecture: config.architecture,
    noiseDim: g.noiseDim,
    sentenceDim: config.clip.text.embedDim,
    codeChannels: g.codeChannels,
    codeSize: g.codeSize,
    clipWidth: config.clip.vision.width,
    promptBlocks: [...config.clip.promptBlocks],
    mapperScale: g.mapperScale,
    ratMode: g.rat.mode,
    blockSizes: [...g.blockSizes],
    wordAttentionBlocks: [...g.wordAttention.blocks],
    wordWidth: config.clip.text.width,
    phraseAttentionBlocks: [...g.phraseAttention.blocks],
  };
}

/** Affine kind of the adapter's M-blocks. */
export function adapterAffineKind(config: NetGConfig): AffineKind {
  if (config.architecture === 'galip') return 'conditional';
  return config.ratMode === 'legacy' ? 'recurrent-legacy' : 'recurrent';
}

/** Conv kind inside the M- and G-blocks: RATLIP's Conv_shuffle or GALIP's plain conv. */
export function blockConvKindOf(config: NetGConfig): BlockConvKind {
  return config.architecture === 'galip' ? 'plain' : 'shuffle';
}
