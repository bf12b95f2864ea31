import type { PhraseEmbeddings, WordFeatures } from '@ratlip/rat-blocks';
import { randomNormalTensor, SeededRandom, type SeededRandomState } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { namedTrainableVariables } from '../model/named-tensors';
import type { RatlipGan } from '../model/ratlip-gan';
import { AdamOptimizer } from './adam';
import { discriminatorLosses, foregroundPixelWeights, generatorLosses } from './losses';
import { NonFiniteLossError } from './non-finite-loss-error';

/** One training batch. The trainer does not dispose it. */
export interface TrainBatch {
  /** Real images `[batch, imageSize, imageSize, channels]` in [-1, 1]. */
  images: tf.Tensor4D;
  /** Their sentence embeddings `[batch, sentenceDim]` (one caption per image). */
  sentences: tf.Tensor2D;
  /**
   * The same captions' word features `[batch, words, text width]` and mask `[batch, words]`
   * (`SentenceEncoder.encodeWithWords`). Required when the generator has word attention
   * (`RatlipGan.readsWords`), ignored otherwise.
   */
  words?: WordFeatures;
  /**
   * The same captions' phrase embeddings `[batch, phrases, sentenceDim]` and mask `[batch, phrases]`
   * (`RatlipGan.encodeCaptions`). Required when the generator has phrase attention
   * (`RatlipGan.readsPhrases`), ignored otherwise.
   */
  phrases?: PhraseEmbeddings;
  /**
   * Sentence embeddings `[batch, choices, sentenceDim]` of the contrastive CLIP term
   * ({@link RatlipTrainerOptions.clipContrast}): per image, choice 0 describes it (its caption or a
   * rewording), the others do not (for example its caption with one attribute changed). Required
   * when the term is on, ignored otherwise.
   */
  contrastSentences?: tf.Tensor3D;
}

/** Loss values of one step. */
export interface TrainStepLosses {
  /** `mean(relu(1 - C(D(real), s)))`. */
  dReal: number;
  /** `mean(relu(1 + C(D(fake), s)))`. */
  dFake: number;
  /**
   * `mean(relu(1 + C(D(real), roll(s, 1))))`; with {@link RatlipTrainerOptions.hardMismatch} the mean of
   * that and the same hinge on the hard mismatched sentences.
   */
  dMismatch: number;
  /** MA-GP, `k * mean(|g|^p)`. */
  maGp: number;
  /** `dReal + (dFake + dMismatch) / 2 + maGp`. */
  d: number;
  /** `-mean(C(D(fake), s))` with the updated D. */
  gAdversarial: number;
  /** `mean(cos(fake embedding, s))`. */
  clipSimilarity: number;
  /** The contrastive CLIP term (`clipContrastLoss`), 0 when it is off. */
  clipContrast: number;
  /** The paired reconstruction term (`reconstructionLoss`), 0 when it is off. */
  reconstruction: number;
  /**
   * `gAdversarial - clipLossWeight * clipSimilarity + clipContrast.weight * clipContrast +
   * reconstruction.weight * reconstruction`.
   */
  g: number;
}

/** Global L2 norms of one step's gradients: `sqrt(sum over variables of sum(grad^2))`, before Adam. */
export interface TrainStepGradientNorms {
  /** Of the NetG gradients of `g`. */
  generator: number;
  /** Of the NetD + NetC gradients of `d` (MA-GP included). */
  discriminator: number;
}

/** Result of {@link RatlipTrainer.step}. */
export interface TrainStepResult {
  /** The step just taken (1-based). */
  step: number;
  losses: TrainStepLosses;
  gradientNorms: TrainStepGradientNorms;
}

/** Everything besides weights and optimizer moments that a resumed run needs. */
export interface TrainerState {
  /** Steps taken. */
  step: number;
  /** State of the noise generator. */
  noiseRandom: SeededRandomState;
  /** State of the data-order generator ({@link RatlipTrainer.dataRandom}). */
  dataRandom: SeededRandomState;
  /** Adam step counts. */
  optimizerSteps: { generator: number; discriminator: number };
}

/**
 * Replaces `values` by their element-wise mean over the replicas of a data-parallel run, in place and
 * synchronously. Every replica calls it the same number of times, with arrays of the same length, in
 * the same order, and gets bit-identical results.
 */
export type ReplicaMean = (values: Float32Array) => void;

/** Options of {@link RatlipTrainer}. */
export interface RatlipTrainerOptions {
  /** Seed of the noise and data-order generators. Default `config.training.seed`. */
  seed?: number;
  /**
   * Data-parallel training (as PyTorch's DistributedDataParallel): each replica steps on its own
   * shard of the batch with its own noise, and the D and G gradients and the losses are averaged
   * across replicas before the updates, so every replica keeps the same weights and Adam moments.
   * BatchNorm statistics and mismatched pairs stay per shard. Default: a single replica.
   */
  replicaMean?: ReplicaMean;
  /**
   * A contrastive CLIP term added to the G loss (not in the paper): the fake's CLIP embedding must be
   * nearer its caption than the batch's `contrastSentences`, scored as CLIP scores zero-shot choices.
   * Default: off (the official loss).
   */
  clipContrast?: ClipContrastOptions;
  /**
   * The D step's mismatched pairs also pair each real image with choice 1 of the batch's
   * `contrastSentences` (a caption that nearly describes it), the mismatch hinge being the mean of the
   * rolled and these pairs (see `discriminatorLosses`). Not in the paper. Default false.
   */
  hardMismatch?: boolean;
  /**
   * A paired reconstruction term added to the G loss (not in the paper, as pix2pix's L1): the weighted
   * L1 distance between each fake and the real image of its caption. For data whose captions fix the
   * layout (the built-in Shapes), where it tells G which object goes where far more directly than D
   * does. Needs the generator's output side to equal the image side. Default: off (the official loss).
   */
  reconstruction?: ReconstructionOptions;
}

/** {@link RatlipTrainerOptions.reconstruction}. */
export interface ReconstructionOptions {
  /** Weight of the term in the G loss (0 turns it off). */
  weight: number;
  /**
   * Weight of the pixels that stand apart from the image's border colour, relative to the others
   * (see `foregroundPixelWeights`). Default 1: every pixel alike.
   */
  foregroundWeight?: number;
  /**
   * Channel distance from the border colour, in [-1, 1] units, from which a pixel counts as
   * foreground. Default 0.3 (about 38 of 255 levels).
   */
  foregroundThreshold?: number;
  /**
   * Whose foreground pixels weigh `foregroundWeight`: `'real'`, those of the real image only, so that
   * paint where the real image has background costs `1 / foregroundWeight` of a missing object pixel
   * (which rounds concave outlines and leaves stray blobs cheap); or `'both'`, those of the real or
   * the fake image, so that both errors cost alike. Default `'real'`.
   */
  foregroundOf?: ReconstructionForegroundOf;
}

/** The values of {@link ReconstructionOptions.foregroundOf}. */
export const RECONSTRUCTION_FOREGROUND_OF = ['real', 'both'] as const;
export type ReconstructionForegroundOf = (typeof RECONSTRUCTION_FOREGROUND_OF)[number];

/** Default {@link ReconstructionOptions.foregroundThreshold}. */
export const DEFAULT_FOREGROUND_THRESHOLD = 0.3;

/** {@link RatlipTrainerOptions.clipContrast}. */
export interface ClipContrastOptions {
  /** Weight of the term in the G loss (0 turns it off). */
  weight: number;
  /** `exp(logit_scale)` of the CLIP that embeds the sentences (OpenAI's trained CLIPs: 100). */
  logitScale: number;
}

const D_LOSS_NAMES = ['dReal', 'dFake', 'dMismatch', 'maGp', 'd'] as const;
const G_LOSS_NAMES = ['gAdversarial', 'clipSimilarity', 'clipContrast', 'reconstruction', 'g'] as const;

/** `grads` averaged across replicas: one flat host copy per call, whatever the number of variables. */
function replicaMeanGradients(grads: tf.NamedTensorMap, replicaMean: ReplicaMean): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const flat = tf.concat(names.map((name) => tf.reshape(grads[name]!, [-1])));
    const values = flat.dataSync() as Float32Array;
    replicaMean(values);
    const averaged = tf.tensor1d(values);
    const pieces = tf.split(
      averaged,
      names.map((name) => grads[name]!.size),
    );
    return Object.fromEntries(names.map((name, i) => [name, tf.reshape(pieces[i]!, grads[name]!.shape)]));
  });
}

/** The reconstruction settings with their defaults, or undefined when the term is off; throws on bad values. */
function checkReconstruction(
  options: ReconstructionOptions | undefined,
  model: RatlipGan,
): Required<ReconstructionOptions> | undefined {
  if (!options) return undefined;
  const resolved = {
    weight: options.weight,
    foregroundWeight: options.foregroundWeight ?? 1,
    foregroundThreshold: options.foregroundThreshold ?? DEFAULT_FOREGROUND_THRESHOLD,
    foregroundOf: options.foregroundOf ?? 'real',
  };
  const { weight, foregroundWeight, foregroundThreshold, foregroundOf } = resolved;
  if (!(weight >= 0) || !(foregroundWeight > 0) || !(foregroundThreshold >= 0)) {
    throw new Error(
      `RatlipTrainer: reconstruction needs weight >= 0, foregroundWeight > 0 and foregroundThreshold >= 0, got ${weight}, ${foregroundWeight} and ${foregroundThreshold}`,
    );
  }
  if (!RECONSTRUCTION_FOREGROUND_OF.includes(foregroundOf)) {
    throw new Error(
      `RatlipTrainer: reconstruction.foregroundOf must be one of ${RECONSTRUCTION_FOREGROUND_OF.join(', ')}, got ${String(foregroundOf)}`,
    );
  }
  if (weight === 0) return undefined;
  const { imageSize, generator } = model.config;
  if (generator.outputSize !== imageSize) {
    throw new Error(
      `RatlipTrainer: reconstruction compares fakes with real images, so the generator's output side (generator.outputSize ${generator.outputSize}) must equal imageSize (${imageSize}); set clean: true`,
    );
  }
  return resolved;
}

/** `sqrt(sum_i sum(grads_i^2))` as a scalar tensor; one concat keeps it to a few kernels however many variables. */
function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => {
    const flat = tf.concat(Object.values(grads).map((grad) => tf.reshape(grad, [-1])));
    return tf.sqrt(tf.sum(tf.square(flat)));
  }) as tf.Scalar;
}

/**
 * The official training iteration (RATLIP/GALIP `train.py`): ONE fake per iteration serves both steps.
 *
 * 1. Real CLIP features; noise z ~ N(0, I) from the seeded generator; fake = G(z, s) (BatchNorm in
 *    training mode); its CLIP features and embedding.
 * 2. D step: hinge on real, fake and mismatched (sentences rolled by one) pairs plus MA-GP on the real
 *    features and the sentence (second-order), `errD = real + (fake + mis) / 2 + MA-GP`; Adam on D + C.
 * 3. G step on the same fake with the updated D: `errG = -mean C(D(fake)) - w * mean cos(emb, s)`;
 *    Adam on G; then the EMA update when enabled.
 *
 * The fake and its CLIP pass are computed once under the generator's gradient tape; the D update
 * happens inside it, so the G gradient flows through the same tensors (as PyTorch reuses its graph).
 * Non-finite losses throw {@link NonFiniteLossError} before the corresponding update.
 */
export class RatlipTrainer {
  readonly optimizerG: AdamOptimizer;
  readonly optimizerD: AdamOptimizer;
  /** Draws the noise of every step. */
  readonly noiseRandom: SeededRandom;
  /** For the caller's data order (shuffles, caption choice); saved and restored with the trainer. */
  readonly dataRandom: SeededRandom;
  /** The last checkpoint written for this run (named in errors). */
  lastCheckpoint: string | undefined;
  private steps = 0;
  private readonly replicaMean: ReplicaMean | undefined;
  private readonly clipContrast: ClipContrastOptions | undefined;
  private readonly hardMismatch: boolean;
  private readonly reconstruction: Required<ReconstructionOptions> | undefined;
  private readonly generatorVariables: tf.Variable[];
  private readonly discriminatorVariables: tf.Variable[];

  constructor(
    readonly model: RatlipGan,
    options: RatlipTrainerOptions = {},
  ) {
    const { netD, netC } = model.requireDiscriminator();
    const training = model.config.training;
    const seed = options.seed ?? training.seed;
    this.replicaMean = options.replicaMean;
    if (options.clipContrast) {
      const { weight, logitScale } = options.clipContrast;
      if (!(weight >= 0) || !(logitScale > 0)) {
        throw new Error(
          `RatlipTrainer: clipContrast needs weight >= 0 and logitScale > 0, got ${weight} and ${logitScale}`,
        );
      }
      if (weight > 0) this.clipContrast = options.clipContrast;
    }
    this.hardMismatch = options.hardMismatch ?? false;
    this.reconstruction = checkReconstruction(options.reconstruction, model);
    const root = new SeededRandom(seed);
    this.noiseRandom = root.fork();
    this.dataRandom = root.fork();
    const adam = { beta1: training.beta1, beta2: training.beta2, epsilon: training.epsilon };
    const gVariables = namedTrainableVariables(model.netG, 'netG.');
    const dVariables = new Map([
      ...namedTrainableVariables(netD, 'netD.'),
      ...namedTrainableVariables(netC, 'netC.'),
    ]);
    this.optimizerG = new AdamOptimizer(gVariables, { ...adam, learningRate: training.learningRateG });
    this.optimizerD = new AdamOptimizer(dVariables, { ...adam, learningRate: training.learningRateD });
    this.generatorVariables = [...gVariables.values()];
    this.discriminatorVariables = [...dVariables.values()];
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.steps;
  }

  private checkBatch(batch: TrainBatch): number {
    const { imageSize, imageChannels, clip } = this.model.config;
    const { images, sentences } = batch;
    const size = images.shape[0];
    if (
      images.rank !== 4 ||
      images.shape[1] !== imageSize ||
      images.shape[2] !== imageSize ||
      images.shape[3] !== imageChannels
    ) {
      throw new Error(
        `RatlipTrainer.step: images must be [batch, ${imageSize}, ${imageSize}, ${imageChannels}], got [${images.shape.join(', ')}]`,
      );
    }
    if (sentences.rank !== 2 || sentences.shape[0] !== size || sentences.shape[1] !== clip.text.embedDim) {
      throw new Error(
        `RatlipTrainer.step: sentences must be [${size}, ${clip.text.embedDim}], got [${sentences.shape.join(', ')}]`,
      );
    }
    if (this.model.readsWords) {
      const words = batch.words;
      if (!words) {
        throw new Error(
          'RatlipTrainer.step: the generator has word attention, so the batch needs words (SentenceEncoder.encodeWithWords)',
        );
      }
      const { features, mask } = words;
      if (
        features.rank !== 3 ||
        features.shape[0] !== size ||
        features.shape[2] !== clip.text.width ||
        mask.rank !== 2 ||
        mask.shape[0] !== size ||
        mask.shape[1] !== features.shape[1]
      ) {
        throw new Error(
          `RatlipTrainer.step: words must be features [${size}, words, ${clip.text.width}] and mask [${size}, words], got [${features.shape.join(', ')}] and [${mask.shape.join(', ')}]`,
        );
      }
    }
    const choices = batch.contrastSentences;
    if (!this.clipContrast && !this.hardMismatch) return size;
    if (!choices) {
      const needs = this.clipContrast
        ? 'the contrastive CLIP term is on (options.clipContrast)'
        : 'hard mismatched pairs are on (options.hardMismatch)';
      throw new Error(`RatlipTrainer.step: ${needs}, so the batch needs contrastSentences`);
    }
    if (
      choices.rank !== 3 ||
      choices.shape[0] !== size ||
      choices.shape[1] < 2 ||
      choices.shape[2] !== clip.text.embedDim
    ) {
      throw new Error(
        `RatlipTrainer.step: contrastSentences must be [${size}, choices >= 2, ${clip.text.embedDim}], got [${choices.shape.join(', ')}]`,
      );
    }
    return size;
  }

  /** One D step and one G step on `batch` (see the class comment). */
  step(batch: TrainBatch): TrainStepResult {
    const batchSize = this.checkBatch(batch);
    const stepNumber = this.steps + 1;
    const model = this.model;
    const { netD, netC } = model.requireDiscriminator();
    const training = model.config.training;
    const noise = randomNormalTensor(this.noiseRandom, [batchSize, model.config.generator.noiseDim]);
    const losses: Partial<Record<keyof TrainStepLosses, number>> = {};
    // Discriminator then generator norm, kept out of the tidy and read with one host sync after it.
    const norms: tf.Scalar[] = [];
    // Losses are averaged before the finiteness check, so all replicas stop at the same step.
    const read = (names: readonly (keyof TrainStepLosses)[], values: tf.Tensor) => {
      const data = values.dataSync() as Float32Array;
      this.replicaMean?.(data);
      names.forEach((name, i) => {
        losses[name] = data[i]!;
      });
      values.dispose();
      if (names.some((name) => !Number.isFinite(losses[name]))) {
        throw new NonFiniteLossError(stepNumber, losses as Record<string, number>, this.lastCheckpoint);
      }
    };
    try {
      tf.tidy(() => {
        const sentences = batch.sentences;
        const hardMismatched =
          this.hardMismatch && batch.contrastSentences
            ? tf.reshape(tf.slice(batch.contrastSentences, [0, 1, 0], [batchSize, 1, -1]), [batchSize, -1])
            : undefined;
        const real = model.encodeImages(batch.images);
        // The real images' weights are computed once, outside the generator's tape.
        const realPixelWeights = this.reconstruction
          ? foregroundPixelWeights(
              batch.images,
              this.reconstruction.foregroundWeight,
              this.reconstruction.foregroundThreshold,
            )
          : undefined;
        const generatorStep = tf.variableGrads(() => {
          const fake = model.generator(noise, sentences, {
            training: true,
            ...(batch.words ? { words: batch.words } : {}),
            ...(batch.phrases ? { phrases: batch.phrases } : {}),
          });
          const fakeFeatures = model.encodeImages(fake);
          const pixelWeights =
            realPixelWeights && this.reconstruction?.foregroundOf === 'both'
              ? tf.maximum<tf.Tensor4D>(
                  realPixelWeights,
                  foregroundPixelWeights(
                    fake,
                    this.reconstruction.foregroundWeight,
                    this.reconstruction.foregroundThreshold,
                  ),
                )
              : realPixelWeights;
          const discriminatorStep = tf.variableGrads(() => {
            const d = discriminatorLosses(
              netD,
              netC,
              real.localFeatures,
              fakeFeatures.localFeatures,
              sentences,
              {
                weight: training.maGpWeight,
                power: training.maGpPower,
              },
              hardMismatched,
            );
            read(D_LOSS_NAMES, tf.keep(tf.stack([d.real, d.fake, d.mismatch, d.maGp, d.total])));
            return d.total;
          }, this.discriminatorVariables);
          norms.push(this.update(discriminatorStep, this.optimizerD));
          const g = generatorLosses(
            netD,
            netC,
            fakeFeatures.localFeatures,
            fakeFeatures.embedding,
            sentences,
            training.clipLossWeight,
            {
              ...(this.clipContrast && batch.contrastSentences
                ? { contrast: { ...this.clipContrast, choices: batch.contrastSentences } }
                : {}),
              ...(this.reconstruction && pixelWeights
                ? {
                    reconstruction: {
                      fake,
                      real: batch.images,
                      pixelWeights,
                      weight: this.reconstruction.weight,
                    },
                  }
                : {}),
            },
          );
          read(
            G_LOSS_NAMES,
            tf.keep(tf.stack([g.adversarial, g.clipSimilarity, g.clipContrast, g.reconstruction, g.total])),
          );
          return g.total;
        }, this.generatorVariables);
        norms.push(this.update(generatorStep, this.optimizerG));
      });
      model.ema?.update();
      const stacked = tf.stack(norms);
      const [discriminator, generator] = stacked.dataSync();
      stacked.dispose();
      this.steps = stepNumber;
      return {
        step: stepNumber,
        losses: losses as TrainStepLosses,
        gradientNorms: { generator: generator!, discriminator: discriminator! },
      };
    } finally {
      noise.dispose();
      tf.dispose(norms);
    }
  }

  /**
   * One optimizer update from a gradient step: the gradients averaged across replicas (when data-parallel),
   * then Adam. Frees the step's tensors and returns the global norm of the applied gradients (kept).
   */
  private update(step: { value: tf.Scalar; grads: tf.NamedTensorMap }, optimizer: AdamOptimizer): tf.Scalar {
    const grads = this.replicaMean ? replicaMeanGradients(step.grads, this.replicaMean) : step.grads;
    const norm = tf.keep(globalNorm(grads));
    optimizer.apply(grads);
    tf.dispose([step.value, ...Object.values(step.grads), ...Object.values(grads)]);
    return norm;
  }

  /** The state to checkpoint besides weights and moments. */
  state(): TrainerState {
    return {
      step: this.steps,
      noiseRandom: this.noiseRandom.getState(),
      dataRandom: this.dataRandom.getState(),
      optimizerSteps: { generator: this.optimizerG.step, discriminator: this.optimizerD.step },
    };
  }

  /** Restores {@link state} (weights and moments are restored separately). */
  restoreState(state: TrainerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new Error(`RatlipTrainer.restoreState: step must be a non-negative integer, got ${state.step}`);
    }
    this.noiseRandom.setState(state.noiseRandom);
    this.dataRandom.setState(state.dataRandom);
    this.optimizerG.step = state.optimizerSteps.generator;
    this.optimizerD.step = state.optimizerSteps.discriminator;
    this.steps = state.step;
  }

  /** Frees the optimizer moments (not the model). */
  dispose(): void {
    this.optimizerG.dispose();
    this.optimizerD.dispose();
  }
}
