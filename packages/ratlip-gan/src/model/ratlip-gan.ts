import type { ClipVisionTransformer } from '@ratlip/clip';
import {
  countTrainableParameters,
  disposeParams,
  type MutableStateDict,
  type StateDict,
} from '@ratlip/rat-blocks';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import { GeneratorEma } from '../train/generator-ema';
import { type ClipImageFeatures, encodeImagesForDiscriminator } from './clip-image-features';
import { type GenerateOptions, generateImages } from './generate';
import {
  encodeGeneratorCaptions,
  type GeneratorCaptions,
  readsPhrases,
  readsWords,
} from './generator-captions';
import {
  exportNetCToStateDict,
  initNetC,
  loadNetCFromStateDict,
  type NetCParams,
  netCForward,
} from './net-c';
import {
  exportNetDToStateDict,
  initNetD,
  loadNetDFromStateDict,
  type NetDParams,
  netDForward,
} from './net-d';
import {
  exportNetGToStateDict,
  initNetG,
  loadNetGFromStateDict,
  type NetGForwardOptions,
  type NetGParams,
  netGForward,
} from './net-g';
import type { SentenceEncoder } from './sentence-encoder';

/** What every model needs besides its config. */
export interface RatlipGanOptions {
  /**
   * The frozen CLIP image tower (the generator's mapper and the discriminator's encoder); its config
   * must equal `config.clip.vision`. The model does not dispose it unless `ownsVision` is true.
   */
  vision: ClipVisionTransformer;
  /** Dispose `vision` with the model. Default false. */
  ownsVision?: boolean;
  /** Encodes captions for `generate({ texts })`. Default: none (pass sentence embeddings). */
  sentenceEncoder?: SentenceEncoder;
}

/** Options of {@link RatlipGan.create}. */
export interface CreateRatlipGanOptions extends RatlipGanOptions {
  /** Seed of the initialisation. Default `config.training.seed`. */
  seed?: number;
  /** Also create the discriminator (NetD + NetC). Default true. */
  withDiscriminator?: boolean;
}

/**
 * `initial` with every tensor of `trained` in place of the one of the same name (tensors are shared,
 * not copied). `network` names the dict in errors.
 */
function overlay(network: string, initial: StateDict, trained: StateDict): StateDict {
  for (const [name, tensor] of Object.entries(trained)) {
    const fresh = initial[name];
    if (!fresh) {
      throw new Error(
        `RatlipGan.initializedFrom: ${network}.${name} of the source has no place in the new config`,
      );
    }
    if (fresh.shape.join() !== tensor.shape.join()) {
      throw new Error(
        `RatlipGan.initializedFrom: ${network}.${name} is [${tensor.shape.join(', ')}] in the source but [${fresh.shape.join(', ')}] in the new config`,
      );
    }
  }
  return { ...initial, ...trained };
}

/** Official state dicts (PyTorch layouts) of the three networks. */
export interface RatlipStateDicts {
  netG: StateDict;
  netD?: StateDict;
  netC?: StateDict;
  /** The EMA generator, when the checkpoint has one. */
  netGEma?: StateDict;
}

/** Trainable parameter counts (CLIP excluded). */
export interface RatlipParameterCounts {
  generator: number;
  /** NetD + NetC. */
  discriminator: number;
}

function sameVisionConfig(vision: ClipVisionTransformer, config: ResolvedRatlipConfig): void {
  const expected = config.clip.vision;
  const actual = vision.config;
  for (const field of Object.keys(expected) as (keyof typeof expected)[]) {
    if (actual[field] !== expected[field]) {
      throw new Error(
        `RatlipGan: the CLIP image tower has ${field} ${actual[field]}, the config's clip.vision.${field} is ${expected[field]}`,
      );
    }
  }
}

/**
 * A RATLIP (or GALIP) model: generator, discriminator (NetD + NetC), optional EMA generator, and the
 * frozen CLIP image tower they share. Parameters are plain records of tf.Variables (see
 * `@ratlip/rat-blocks`); state dicts use the official PyTorch key names.
 *
 * @example
 * ```ts
 * const config = resolveConfig('ratlip-tiny');
 * const model = RatlipGan.create(config, { vision: clip.vision });
 * const images = model.generate({ sentenceEmbeddings, seed: 1, count: 4 }); // [4, 32, 32, 3] in [-1, 1]
 * ```
 */
export class RatlipGan {
  readonly vision: ClipVisionTransformer;
  readonly sentenceEncoder?: SentenceEncoder;
  /** The EMA copy of the generator (when `config.training.ema.enabled`). */
  readonly ema?: GeneratorEma;
  private readonly ownsVision: boolean;

  constructor(
    readonly config: ResolvedRatlipConfig,
    readonly netG: NetGParams,
    readonly netD: NetDParams | undefined,
    readonly netC: NetCParams | undefined,
    options: RatlipGanOptions,
    emaParams?: NetGParams,
  ) {
    sameVisionConfig(options.vision, config);
    this.vision = options.vision;
    this.ownsVision = options.ownsVision ?? false;
    if (options.sentenceEncoder) this.sentenceEncoder = options.sentenceEncoder;
    if (config.training.ema.enabled) {
      this.ema = new GeneratorEma(netG, config.training.ema.decay);
      if (emaParams) this.ema.copyFrom(emaParams);
    }
  }

  /** A freshly initialised model (PyTorch-default initialisation, drawn from a seeded generator). */
  static create(config: ResolvedRatlipConfig, options: CreateRatlipGanOptions): RatlipGan {
    const rng = new SeededRandom(options.seed ?? config.training.seed);
    const netG = initNetG(config, rng);
    const withD = options.withDiscriminator ?? true;
    const netD = withD ? initNetD(config, rng) : undefined;
    const netC = withD ? initNetC(config, rng) : undefined;
    return new RatlipGan(config, netG, netD, netC, options);
  }

  /**
   * A model from official state dicts (PyTorch layouts; `mapping.CLIP_ViT.*` ignored). The tensors of
   * `dicts` are copied, not kept.
   */
  static fromStateDicts(
    config: ResolvedRatlipConfig,
    dicts: RatlipStateDicts,
    options: RatlipGanOptions,
  ): RatlipGan {
    const netG = loadNetGFromStateDict(dicts.netG, config);
    const netD = dicts.netD ? loadNetDFromStateDict(dicts.netD, config.clip.tapBlocks.length) : undefined;
    const netC = dicts.netC ? loadNetCFromStateDict(dicts.netC) : undefined;
    const ema = dicts.netGEma ? loadNetGFromStateDict(dicts.netGEma, config) : undefined;
    try {
      return new RatlipGan(config, netG, netD, netC, options, ema);
    } finally {
      if (ema) disposeParams(ema);
    }
  }

  /**
   * A new model for `config` that starts from `source`'s weights wherever both have a tensor of the same
   * official name (BatchNorm statistics and the generator's average included); what only `config` has,
   * such as word attention added to a trained generator, keeps its fresh initialisation (drawn from
   * `options.seed`). The new model has a discriminator when `options.withDiscriminator` says so
   * (default: when `source` has one); from a generator-only source (an exported generator) it starts
   * fresh. `source` is left as it is.
   * @throws naming the tensor, when a shared tensor's shape differs or `source` has one that `config` lacks.
   */
  static initializedFrom(
    config: ResolvedRatlipConfig,
    source: RatlipGan,
    options: CreateRatlipGanOptions,
  ): RatlipGan {
    const withDiscriminator = options.withDiscriminator ?? source.netD !== undefined;
    const fresh = RatlipGan.create(config, { ...options, withDiscriminator });
    const initial = fresh.exportStateDicts();
    fresh.dispose();
    const trained = source.exportStateDicts();
    try {
      const merged: RatlipStateDicts = { netG: overlay('netG', initial.netG, trained.netG) };
      if (initial.netD)
        merged.netD = trained.netD ? overlay('netD', initial.netD, trained.netD) : initial.netD;
      if (initial.netC)
        merged.netC = trained.netC ? overlay('netC', initial.netC, trained.netC) : initial.netC;
      if (initial.netGEma) {
        merged.netGEma = overlay('netGEma', initial.netGEma, trained.netGEma ?? trained.netG);
      }
      return RatlipGan.fromStateDicts(config, merged, options);
    } finally {
      for (const dict of [...Object.values(initial), ...Object.values(trained)])
        tf.dispose(Object.values(dict));
    }
  }

  /** The generator attends over the captions' word features (`generator.wordAttention`), so every call needs them. */
  get readsWords(): boolean {
    return readsWords(this.config);
  }

  /** The generator's affines read the captions' phrases (`generator.phraseAttention`), so every call needs them. */
  get readsPhrases(): boolean {
    return readsPhrases(this.config);
  }

  /**
   * Captions encoded with the model's `sentenceEncoder` as its generator reads them: the sentence
   * embeddings `[count, sentenceDim]`, the word features when {@link readsWords} and the phrase
   * embeddings when {@link readsPhrases}. Owned by the caller.
   */
  encodeCaptions(texts: readonly string[]): GeneratorCaptions {
    const encoder = this.sentenceEncoder;
    if (!encoder) {
      throw new Error(
        'RatlipGan: captions need a sentenceEncoder (RatlipGanOptions.sentenceEncoder); or pass sentence embeddings',
      );
    }
    return encodeGeneratorCaptions(this.config, encoder, texts);
  }

  /**
   * The generator `G(z, s)` (training weights, or the EMA copy with `useEma`).
   * @param noise `[batch, noiseDim]`.
   * @param sentence `[batch, sentenceDim]`.
   * @returns `[batch, outputSize, outputSize, channels]`, unbounded.
   */
  generator(
    noise: tf.Tensor,
    sentence: tf.Tensor,
    options: NetGForwardOptions & { useEma?: boolean } = {},
  ): tf.Tensor4D {
    const params = options.useEma && this.ema ? this.ema.params : this.netG;
    return netGForward(params, this.vision, noise, sentence, {
      training: options.training ?? false,
      ...(options.words ? { words: options.words } : {}),
      ...(options.phrases ? { phrases: options.phrases } : {}),
    });
  }

  /**
   * The official CLIP image encoder with this config's input quirk and taps.
   * @param images `[batch, height, width, channels]` in [-1, 1].
   */
  encodeImages(images: tf.Tensor4D): ClipImageFeatures {
    return encodeImagesForDiscriminator(this.vision, images, {
      quirk: this.config.clip.inputQuirk,
      tapBlocks: this.config.clip.tapBlocks,
    });
  }

  /**
   * `C(D(features), sentence)`.
   * @param features `[batch, taps, grid, grid, width]` from {@link encodeImages}.
   * @param sentence `[batch, sentenceDim]`.
   * @returns logits `[batch, 1, 1, 1]`.
   */
  discriminate(features: tf.Tensor, sentence: tf.Tensor): tf.Tensor4D {
    const { netD, netC } = this.requireDiscriminator();
    return tf.tidy(() => netCForward(netC, netDForward(netD, features), sentence));
  }

  /** NetD and NetC, or an error saying the model was built without them. */
  requireDiscriminator(): { netD: NetDParams; netC: NetCParams } {
    if (!this.netD || !this.netC) {
      throw new Error('RatlipGan: this model has no discriminator (built without NetD/NetC)');
    }
    return { netD: this.netD, netC: this.netC };
  }

  /**
   * Samples images: see {@link GenerateOptions}. Returns `[count, size, size, channels]`, float in
   * [-1, 1] (clamped, NaN set to 0) or int32 in 0..255 with `format: 'uint8'`.
   */
  generate(options: GenerateOptions): tf.Tensor4D {
    return generateImages(this, options);
  }

  /** The official state dicts (new tensors the caller disposes). */
  exportStateDicts(): {
    netG: MutableStateDict;
    netD?: MutableStateDict;
    netC?: MutableStateDict;
    netGEma?: MutableStateDict;
  } {
    return {
      netG: exportNetGToStateDict(this.netG),
      ...(this.netD ? { netD: exportNetDToStateDict(this.netD) } : {}),
      ...(this.netC ? { netC: exportNetCToStateDict(this.netC) } : {}),
      ...(this.ema ? { netGEma: exportNetGToStateDict(this.ema.params) } : {}),
    };
  }

  /** Trainable parameters of G and of D + C (CLIP excluded). */
  parameterCounts(): RatlipParameterCounts {
    return {
      generator: countTrainableParameters(this.netG),
      discriminator:
        (this.netD ? countTrainableParameters(this.netD) : 0) +
        (this.netC ? countTrainableParameters(this.netC) : 0),
    };
  }

  /** Frees every parameter (and the CLIP tower when owned). */
  dispose(): void {
    disposeParams(this.netG);
    if (this.netD) disposeParams(this.netD);
    if (this.netC) disposeParams(this.netC);
    this.ema?.dispose();
    if (this.ownsVision) this.vision.dispose();
  }
}
