import type { SafetensorsFile, SafetensorsInput } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { type ClipConfig, validateClipConfig } from '../model/clip-config';
import type { ClipModel } from '../model/clip-model';
import { type ClipParameters, clipParameterEntries, LOGIT_SCALE_KEY } from '../model/clip-parameters';
import { initializeClipParameters } from '../model/initialize-clip-parameters';
import { loadClipWeights } from '../weights/load-clip-weights';
import {
  type ClipWeightsFile,
  clipWeightsToSafetensors,
  type SaveClipWeightsOptions,
} from '../weights/save-clip-weights';
import type { ClipWeightsInput } from '../weights/tensor-source';
import { AdamW, type AdamWOptions } from './adamw';
import { clipContrastiveLoss, diagonalTop1Accuracy } from './contrastive-loss';
import { endOfTextLength } from './end-of-text-length';
import {
  checkWarmupCosineOptions,
  type WarmupCosineOptions,
  warmupCosineLearningRate,
} from './learning-rate-schedule';
import { trainableClip } from './trainable-clip';

/** Options of {@link ClipTrainer}. */
export interface ClipTrainerOptions {
  /** Learning-rate schedule: linear warm-up then cosine decay (see `warmupCosineLearningRate`). */
  schedule: WarmupCosineOptions;
  /** AdamW hyper-parameters. Default CLIP's: betas 0.9 / 0.98, epsilon 1e-6, weight decay 0.2 on rank >= 2 tensors. */
  optimizer?: AdamWOptions;
  /** Largest global L2 norm of the gradients; larger ones are scaled down to it. Default: no clipping. */
  maxGradientNorm?: number;
  /** `logit_scale` is clamped to `[0, maxLogitScale]` after every step (logits scaled by at most 100). Default ln(100). */
  maxLogitScale?: number;
  /**
   * Run the text tower only up to the batch's last end-of-text token (exactly the same embeddings,
   * since the tower is causal; see `endOfTextLength`). Costs one small read of the ids per step. Default true.
   */
  cropText?: boolean;
  /**
   * Keep the vision tower (every `visual.*` parameter) as it is and train the text tower and the logit
   * scale only: fine-tuning how captions embed without moving the image embeddings that models built on
   * the CLIP (RATLIP's generator and discriminator) were trained with. Default false.
   */
  freezeVision?: boolean;
}

/** Prefix of the vision tower's parameter keys (OpenAI `state_dict` names). */
const VISION_KEY_PREFIX = 'visual.';

/** Options of {@link ClipTrainer.fromConfig}. */
export interface ClipTrainerFromConfigOptions extends ClipTrainerOptions {
  /** Seed of the initial weights (`initializeClipParameters`). Default 0. */
  seed?: number;
}

/** What one {@link ClipTrainer.step} did. */
export interface ClipTrainStepResult {
  /** Optimizer steps taken, this one included. */
  step: number;
  /** Symmetric InfoNCE loss of the batch before the update (`ln(batch)` is chance without negatives). */
  loss: number;
  /** Learning rate used by this step. */
  learningRate: number;
  /** Global L2 norm of the gradients before clipping. */
  gradientNorm: number;
  /** `exp(logit_scale)` after the update and clamp: the factor applied to cosine similarities. */
  logitScale: number;
  /**
   * In-batch image-to-text top-1 retrieval before the update, negatives among the candidates, in [0, 1]
   * (chance `1 / (batch + negatives)`).
   */
  accuracy: number;
  /** Hard-negative texts of the step (0 without). */
  negatives: number;
}

/** A resumable training state: the weights and the optimizer state, both safetensors-ready. */
export interface ClipTrainerCheckpoint {
  /** The CLIP weights (loadable by `loadClipWeights`); write with `writeSafetensors(tensors, metadata)`. */
  weights: ClipWeightsFile;
  /** Optimizer moments and step count (see `AdamW.stateToSafetensors`). */
  optimizer: { tensors: Record<string, SafetensorsInput>; metadata: Record<string, string> };
}

/**
 * Contrastive training of a CLIP (Radford et al. 2021): each step encodes a batch of matching image and
 * caption pairs, takes the symmetric InfoNCE loss of their scaled cosine similarities (learned
 * temperature), back-propagates into every parameter and applies AdamW on a warm-up + cosine schedule,
 * then clamps `logit_scale` at ln(100). Data order and augmentation are the caller's.
 *
 * @example
 * ```ts
 * const trainer = ClipTrainer.fromConfig(clipPreset('small'), { seed: 0, schedule: { peak: 5e-4, warmupSteps: 100, totalSteps: 3000 } });
 * for (const { images, ids } of batches) console.log(trainer.step(images, ids).loss);
 * const file = trainer.checkpoint().weights;  // writeSafetensors(file.tensors, file.metadata)
 * ```
 */
export class ClipTrainer {
  /** The model being trained (its parameters are the trainer's variables; do not dispose it). */
  readonly model: ClipModel;
  /** Trainable parameters by canonical key. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  readonly optimizer: AdamW;
  private currentSchedule: WarmupCosineOptions;
  private readonly maxGradientNorm: number | undefined;
  private readonly maxLogitScale: number;
  private readonly cropText: boolean;
  /** The parameters the optimizer updates (all but the frozen ones). */
  private readonly trained: ReadonlyArray<[string, tf.Variable]>;

  /**
   * Trains a copy of `parameters` (the caller keeps and may dispose the originals).
   * @param config the model's config, validated here.
   */
  constructor(config: ClipConfig, parameters: ClipParameters, options: ClipTrainerOptions) {
    validateClipConfig(config);
    checkWarmupCosineOptions(options.schedule, 'ClipTrainerOptions.schedule');
    const maxGradientNorm = options.maxGradientNorm;
    if (maxGradientNorm !== undefined && !(Number.isFinite(maxGradientNorm) && maxGradientNorm > 0)) {
      throw new Error(`ClipTrainerOptions: 'maxGradientNorm' must be > 0, got ${maxGradientNorm}`);
    }
    const maxLogitScale = options.maxLogitScale ?? Math.log(100);
    if (!(Number.isFinite(maxLogitScale) && maxLogitScale >= 0)) {
      throw new Error(
        `ClipTrainerOptions: 'maxLogitScale' must be a finite number >= 0, got ${maxLogitScale}`,
      );
    }
    const { model, variables } = trainableClip(config, parameters);
    try {
      this.optimizer = new AdamW(variables, options.optimizer);
    } catch (error) {
      model.dispose();
      throw error;
    }
    this.model = model;
    this.variables = variables;
    this.currentSchedule = { ...options.schedule };
    this.maxGradientNorm = maxGradientNorm;
    this.maxLogitScale = maxLogitScale;
    this.cropText = options.cropText ?? true;
    this.trained = [...variables].filter(
      ([key]) => !(options.freezeVision && key.startsWith(VISION_KEY_PREFIX)),
    );
  }

  /** A trainer of a freshly initialised CLIP (OpenAI's initialisation, seeded). */
  static fromConfig(config: ClipConfig, options: ClipTrainerFromConfigOptions): ClipTrainer {
    const parameters = initializeClipParameters(config, { seed: options.seed ?? 0 });
    try {
      return new ClipTrainer(config, parameters, options);
    } finally {
      for (const tensor of clipParameterEntries(parameters).values()) tensor.dispose();
    }
  }

  /**
   * Resumes from {@link checkpoint} files: the weights (any naming `loadClipWeights` reads, so also a
   * pretrained CLIP to fine-tune) and, when given, the optimizer state with its step count.
   */
  static fromCheckpoint(
    weights: ClipWeightsInput,
    optimizerState: SafetensorsFile | undefined,
    options: ClipTrainerOptions,
  ): ClipTrainer {
    const loaded = loadClipWeights(weights);
    let trainer: ClipTrainer;
    try {
      trainer = new ClipTrainer(loaded.config, loaded.model.parameters, options);
    } finally {
      loaded.model.dispose();
    }
    if (optimizerState) {
      try {
        trainer.optimizer.loadState(optimizerState);
      } catch (error) {
        trainer.dispose();
        throw error;
      }
    }
    return trainer;
  }

  /** Optimizer steps taken (also after a resume). */
  get stepCount(): number {
    return this.optimizer.stepCount;
  }

  /** The learning rate the next step will use. */
  get learningRate(): number {
    return warmupCosineLearningRate(this.stepCount, this.currentSchedule);
  }

  /** The learning-rate schedule of the next steps (a copy). */
  get schedule(): WarmupCosineOptions {
    return { ...this.currentSchedule };
  }

  /**
   * Replaces the learning-rate schedule from the next step on, e.g. once a run bounded by time has
   * estimated how many steps fit (`warmupCosineLearningRate` depends on `totalSteps` only after the
   * warm-up, so fixing it during the warm-up changes no step already taken). Not part of
   * {@link checkpoint}: a resumed trainer takes its schedule from its options.
   */
  setSchedule(schedule: WarmupCosineOptions): void {
    checkWarmupCosineOptions(schedule, 'ClipTrainer.setSchedule');
    this.currentSchedule = { ...schedule };
  }

  /**
   * One training step on matching pairs (`images[i]` is described by `ids[i]`), optionally with
   * hard-negative texts that describe none of the images (see `clipContrastiveLoss`). Inputs stay owned
   * by the caller. Leaves no tensors behind.
   * @param images CLIP-normalised images `[batch, imageSize, imageSize, 3]`, batch >= 2.
   * @param ids int32 token ids `[batch, length <= contextLength]` (the tokenizer's, padded with zeros).
   * @param negativeIds int32 token ids `[negatives, length]` of the same length as `ids`.
   */
  step(images: tf.Tensor4D, ids: tf.Tensor2D, negativeIds?: tf.Tensor2D): ClipTrainStepResult {
    const batch = images.shape[0];
    if (images.rank !== 4 || ids.rank !== 2 || ids.shape[0] !== batch || batch < 2) {
      throw new Error(
        `ClipTrainer.step: images [batch, h, w, 3] and ids [batch, length] need the same batch >= 2, got [${images.shape.join(', ')}] and [${ids.shape.join(', ')}]`,
      );
    }
    if (negativeIds !== undefined && (negativeIds.rank !== 2 || negativeIds.shape[1] !== ids.shape[1])) {
      throw new Error(
        `ClipTrainer.step: negativeIds must be [negatives, ${ids.shape[1]}] like ids, got [${negativeIds.shape.join(', ')}]`,
      );
    }
    const negatives = negativeIds?.shape[0] ?? 0;
    const learningRate = this.learningRate;
    // Kept out of the tape's tidy so the returned statistics can include it; freed below in any case.
    let batchAccuracy: tf.Scalar | undefined;
    let statistics: tf.Tensor1D;
    try {
      statistics = tf.tidy(() => {
        const allIds = negativeIds && negatives > 0 ? tf.concat([ids, negativeIds]) : ids;
        const length = this.cropText ? endOfTextLength(allIds) : allIds.shape[1];
        const texts = length === allIds.shape[1] ? allIds : allIds.slice([0, 0], [batch + negatives, length]);
        const frozenImages =
          this.trained.length < this.variables.size ? this.model.encodeImage(images) : undefined;
        const { value: loss, grads } = tf.variableGrads(
          () => {
            const imageEmbeddings = frozenImages ?? this.model.encodeImage(images);
            const logits = this.model.logits(imageEmbeddings, this.model.encodeText(texts));
            batchAccuracy = tf.keep(diagonalTop1Accuracy(logits.logitsPerImage));
            return clipContrastiveLoss(logits.logitsPerImage);
          },
          this.trained.map(([, variable]) => variable),
        );
        const gradients = new Map<string, tf.Tensor>();
        for (const [key, variable] of this.trained) {
          const gradient = grads[variable.name];
          if (gradient) gradients.set(key, gradient);
        }
        const gradientNorm = tf.addN([...gradients.values()].map((g) => g.square().sum())).sqrt();
        if (this.maxGradientNorm !== undefined) {
          const factor = tf.minimum(1, tf.div(this.maxGradientNorm, gradientNorm.add(1e-6)));
          for (const [key, gradient] of gradients) gradients.set(key, gradient.mul(factor));
        }
        this.optimizer.step(gradients, learningRate);
        const logitScale = this.variables.get(LOGIT_SCALE_KEY)!;
        logitScale.assign(logitScale.clipByValue(0, this.maxLogitScale));
        return tf.stack([loss, gradientNorm, logitScale.exp(), batchAccuracy!]) as tf.Tensor1D;
      });
    } finally {
      batchAccuracy?.dispose();
    }
    const [loss, gradientNorm, logitScale, accuracy] = statistics.dataSync();
    statistics.dispose();
    return {
      step: this.stepCount,
      loss: loss!,
      learningRate,
      gradientNorm: gradientNorm!,
      logitScale: logitScale!,
      accuracy: accuracy!,
      negatives,
    };
  }

  /** The current weights and optimizer state, to write and later pass to {@link fromCheckpoint}. */
  checkpoint(options: SaveClipWeightsOptions = {}): ClipTrainerCheckpoint {
    return {
      weights: clipWeightsToSafetensors(this.model, options),
      optimizer: this.optimizer.stateToSafetensors(),
    };
  }

  /** Frees the parameters and the optimizer state. */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
