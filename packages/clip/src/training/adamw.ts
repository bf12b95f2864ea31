import type { SafetensorsFile, SafetensorsInput } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** Options of {@link AdamW}. Defaults are CLIP's (Radford et al. 2021, ViT models). */
export interface AdamWOptions {
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.98. */
  beta2?: number;
  /** Added to the root of the second moment. Default 1e-6. */
  epsilon?: number;
  /** Decoupled weight decay per unit learning rate: each step multiplies decayed weights by `1 - lr * weightDecay`. Default 0.2. */
  weightDecay?: number;
  /**
   * Which parameters are decayed. Default: tensors of rank >= 2 (weights and embeddings), so biases,
   * LayerNorm gains, the class embedding and `logit_scale` are not, as in open_clip.
   */
  decays?: (key: string, variable: tf.Variable) => boolean;
}

/** Moment estimates of one parameter. */
interface MomentSlots {
  first: tf.Variable;
  second: tf.Variable;
}

const FIRST_PREFIX = 'adamw.m.';
const SECOND_PREFIX = 'adamw.v.';
const FORMAT = 'ratlip-adamw-1';

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's `torch.optim.AdamW`):
 * `p <- p (1 - lr wd) - lr m_hat / (sqrt(v_hat) + eps)`, bias-corrected moments. It updates a fixed,
 * named set of `tf.Variable`s; its state (moments and step count) saves to and loads from safetensors so
 * a resumed run continues exactly. {@link dispose} frees the moments, never the parameters.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  // One update per parameter: flattening all parameters into one vector would need tf.split, which
  // costs far more on wasm than the per-parameter kernels it saves.
  private readonly slots = new Map<string, MomentSlots>();
  private readonly decayed = new Set<string>();
  private steps = 0;

  /**
   * @param variables the parameters by name (e.g. canonical CLIP keys); the optimizer keeps this order.
   */
  constructor(
    readonly variables: ReadonlyMap<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = checkedRate(options.beta1 ?? 0.9, 'beta1');
    this.beta2 = checkedRate(options.beta2 ?? 0.98, 'beta2');
    this.epsilon = checkedNonNegative(options.epsilon ?? 1e-6, 'epsilon');
    this.weightDecay = checkedNonNegative(options.weightDecay ?? 0.2, 'weightDecay');
    const decays = options.decays ?? ((_key: string, variable: tf.Variable) => variable.rank >= 2);
    for (const [key, variable] of variables) {
      if (variable.dtype !== 'float32') {
        throw new Error(`AdamW: parameter '${key}' must be float32, got ${variable.dtype}`);
      }
      // tidy frees the zero tensors; the variables keep their data by reference count.
      this.slots.set(
        key,
        tf.tidy(() => ({
          first: tf.variable(tf.zerosLike(variable), false),
          second: tf.variable(tf.zerosLike(variable), false),
        })),
      );
      if (decays(key, variable)) this.decayed.add(key);
    }
  }

  /** Optimizer steps taken so far (restored by {@link loadState}). */
  get stepCount(): number {
    return this.steps;
  }

  /** Whether `key` gets weight decay. */
  isDecayed(key: string): boolean {
    return this.decayed.has(key);
  }

  /**
   * One update of every parameter that has a gradient (parameters without one are left as they are,
   * moments included, as PyTorch does). The gradients stay owned by the caller.
   * @param gradients gradient per parameter name, each of its parameter's shape.
   * @param learningRate this step's learning rate (>= 0).
   */
  step(gradients: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
      throw new Error(`AdamW.step: learningRate must be a finite number >= 0, got ${learningRate}`);
    }
    for (const [key, gradient] of gradients) {
      const variable = this.variables.get(key);
      if (!variable) throw new Error(`AdamW.step: gradient for unknown parameter '${key}'`);
      if (!tf.util.arraysEqual(gradient.shape, variable.shape)) {
        throw new Error(
          `AdamW.step: gradient of '${key}' has shape [${gradient.shape.join(', ')}], expected [${variable.shape.join(', ')}]`,
        );
      }
    }
    this.steps += 1;
    const firstCorrection = 1 - this.beta1 ** this.steps;
    const secondCorrection = 1 - this.beta2 ** this.steps;
    tf.tidy(() => {
      const beta1 = tf.scalar(this.beta1);
      const oneMinusBeta1 = tf.scalar(1 - this.beta1);
      const beta2 = tf.scalar(this.beta2);
      const oneMinusBeta2 = tf.scalar(1 - this.beta2);
      const rootSecondCorrection = tf.scalar(Math.sqrt(secondCorrection));
      const epsilon = tf.scalar(this.epsilon);
      const stepSize = tf.scalar(learningRate / firstCorrection);
      const keep = tf.scalar(1 - learningRate * this.weightDecay);
      for (const [key, variable] of this.variables) {
        const gradient = gradients.get(key);
        if (!gradient) continue;
        const { first, second } = this.slots.get(key)!;
        const firstMoment = first.mul(beta1).add(gradient.mul(oneMinusBeta1));
        const secondMoment = second.mul(beta2).add(gradient.square().mul(oneMinusBeta2));
        first.assign(firstMoment);
        second.assign(secondMoment);
        const denominator = secondMoment.sqrt().div(rootSecondCorrection).add(epsilon);
        const update = firstMoment.div(denominator).mul(stepSize);
        const decayed = this.decayed.has(key) ? variable.mul(keep) : variable;
        variable.assign(decayed.sub(update));
      }
    });
  }

  /**
   * The state for `writeSafetensors(tensors, metadata)`: moments as `adamw.m.<name>` and `adamw.v.<name>`
   * (F32), and the step count and hyper-parameters in the metadata.
   */
  stateToSafetensors(): { tensors: Record<string, SafetensorsInput>; metadata: Record<string, string> } {
    const tensors: Record<string, SafetensorsInput> = {};
    for (const [key, { first, second }] of this.slots) {
      tensors[FIRST_PREFIX + key] = { dtype: 'F32', shape: first.shape, data: first.dataSync() };
      tensors[SECOND_PREFIX + key] = { dtype: 'F32', shape: second.shape, data: second.dataSync() };
    }
    const metadata = {
      format: FORMAT,
      step: String(this.steps),
      hyperparameters: JSON.stringify({
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        weightDecay: this.weightDecay,
      }),
    };
    return { tensors, metadata };
  }

  /**
   * Restores moments and step count written by {@link stateToSafetensors}. Throws naming the tensor when
   * one is missing, misshapen or extra, or when the file is not an AdamW state; nothing changes then.
   */
  loadState(file: SafetensorsFile): void {
    const where = `AdamW.loadState(${file.source})`;
    if (file.metadata['format'] !== FORMAT) {
      throw new Error(
        `${where}: metadata 'format' is ${JSON.stringify(file.metadata['format'])}, expected '${FORMAT}'`,
      );
    }
    const step = Number(file.metadata['step']);
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new Error(
        `${where}: metadata 'step' must be a non-negative integer, got ${JSON.stringify(file.metadata['step'])}`,
      );
    }
    const expected = new Set<string>();
    for (const [key, variable] of this.variables) {
      for (const name of [FIRST_PREFIX + key, SECOND_PREFIX + key]) {
        expected.add(name);
        if (!file.has(name)) throw new Error(`${where}: tensor '${name}' is missing`);
        const shape = file.entry(name).shape;
        if (!tf.util.arraysEqual([...shape], variable.shape)) {
          throw new Error(
            `${where}: tensor '${name}' has shape [${shape.join(', ')}], expected [${variable.shape.join(', ')}]`,
          );
        }
      }
    }
    for (const name of file.names()) {
      if (!expected.has(name)) throw new Error(`${where}: unexpected tensor '${name}'`);
    }
    for (const [key, { first, second }] of this.slots) {
      tf.tidy(() => {
        first.assign(tf.tensor(file.float32(FIRST_PREFIX + key), first.shape, 'float32'));
        second.assign(tf.tensor(file.float32(SECOND_PREFIX + key), second.shape, 'float32'));
      });
    }
    this.steps = step;
  }

  /** Frees the moment estimates (not the parameters). */
  dispose(): void {
    for (const { first, second } of this.slots.values()) {
      first.dispose();
      second.dispose();
    }
    this.slots.clear();
  }
}

function checkedRate(value: number, field: string): number {
  if (!(Number.isFinite(value) && value >= 0 && value < 1)) {
    throw new Error(`AdamWOptions: '${field}' must be in [0, 1), got ${value}`);
  }
  return value;
}

function checkedNonNegative(value: number, field: string): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new Error(`AdamWOptions: '${field}' must be a finite number >= 0, got ${value}`);
  }
  return value;
}
