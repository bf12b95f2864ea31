import * as tf from '@tensorflow/tfjs';

/** Hyperparameters of {@link AdamOptimizer}. */
export interface AdamOptions {
  /** Learning rate. */
  learningRate: number;
  /** Default 0 (RATLIP/GALIP). */
  beta1?: number;
  /** Default 0.9 (RATLIP/GALIP). */
  beta2?: number;
  /** Added to the bias-corrected root second moment. Default 1e-8 (PyTorch's). */
  epsilon?: number;
}

/** Where one variable's moments sit in the flat moment buffers. */
interface MomentSlot {
  name: string;
  variable: tf.Variable;
  offset: number;
  size: number;
}

/**
 * PyTorch's `torch.optim.Adam` (no weight decay, no amsgrad) over named variables, with its state
 * (first and second moments, step count) exposed by name so checkpoints can store and restore it
 * exactly:
 * `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 *
 * The moments of all variables live in two flat buffers and one update runs the arithmetic once over
 * all of them: a network of a few hundred small variables costs about 3 kernels per variable instead
 * of 13 (kernel dispatch, not arithmetic, dominates small tensors on wasm). Each element sees the same
 * operations in the same order as a per-variable update, so results are identical.
 */
export class AdamOptimizer {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Updates applied so far (PyTorch's `step`). */
  step = 0;
  private readonly slots: readonly MomentSlot[];
  /** First moments of every variable, flattened and concatenated in {@link slots} order. */
  private readonly firstMoments: tf.Variable;
  /** Second moments, laid out as {@link firstMoments}. */
  private readonly secondMoments: tf.Variable;

  /** @param variables the trainable variables by a stable name (moments are stored under it). */
  constructor(variables: ReadonlyMap<string, tf.Variable>, options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0;
    this.beta2 = options.beta2 ?? 0.9;
    this.epsilon = options.epsilon ?? 1e-8;
    let offset = 0;
    this.slots = [...variables].map(([name, variable]) => {
      const slot = { name, variable, offset, size: variable.size };
      offset += variable.size;
      return slot;
    });
    // Variables survive the tidy; the zero tensors they were made from do not.
    [this.firstMoments, this.secondMoments] = tf.tidy(() => [
      tf.variable(tf.zeros([offset]), false),
      tf.variable(tf.zeros([offset]), false),
    ]);
  }

  /** Names of the optimised variables. */
  get names(): string[] {
    return this.slots.map((slot) => slot.name);
  }

  /**
   * One update. Variables without a gradient keep their value and moments (as in PyTorch, where a
   * parameter whose grad is None is skipped), but the step count advances once for all.
   * @param gradients by tf variable name (as `tf.variableGrads` returns them); not disposed.
   */
  apply(gradients: tf.NamedTensorMap): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const stepSize = this.learningRate / (1 - beta1 ** this.step);
    const correction2Sqrt = Math.sqrt(1 - beta2 ** this.step);
    const present = this.slots.map((slot) => gradients[slot.variable.name]);
    if (this.slots.length === 0 || present.every((gradient) => gradient === undefined)) return;
    tf.tidy(() => {
      const gradient = tf.concat(
        this.slots.map((slot, i) => (present[i] ? tf.reshape(present[i]!, [-1]) : tf.zeros([slot.size]))),
      );
      const m = this.firstMoments;
      const v = this.secondMoments;
      let newM = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
      let newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
      if (present.some((g) => g === undefined)) {
        const hasGradient = tf.concat(
          this.slots.map((slot, i) => tf.fill([slot.size], present[i] ? 1 : 0, 'bool')),
        );
        newM = tf.where(hasGradient, newM, m);
        newV = tf.where(hasGradient, newV, v);
      }
      const denominator = tf.add(tf.div(tf.sqrt(newV), correction2Sqrt), epsilon);
      const update = tf.mul(tf.div(newM, denominator), stepSize);
      m.assign(newM);
      v.assign(newV);
      const pieces = tf.split(
        update,
        this.slots.map((slot) => slot.size),
      );
      this.slots.forEach((slot, i) => {
        if (!present[i]) return;
        slot.variable.assign(tf.sub(slot.variable, tf.reshape(pieces[i]!, slot.variable.shape)));
      });
    });
  }

  /**
   * The moments as new tensors named `<prefix>exp_avg.<name>` and `<prefix>exp_avg_sq.<name>` (in the
   * variables' TF.js layouts); the caller disposes them.
   */
  stateTensors(prefix = ''): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      for (const [kind, moments] of [
        ['exp_avg', this.firstMoments],
        ['exp_avg_sq', this.secondMoments],
      ] as const) {
        for (const slot of this.slots) {
          const tensor = tf.reshape(tf.slice(moments, [slot.offset], [slot.size]), slot.variable.shape);
          out[`${prefix}${kind}.${slot.name}`] = tf.keep(tensor);
        }
      }
    });
    return out;
  }

  /**
   * Restores moments and step written by {@link stateTensors}. Every moment must be present with the
   * variable's shape; the error names the first that is not.
   * @param source names the file in error messages.
   */
  loadState(
    tensors: Readonly<Record<string, tf.Tensor>>,
    step: number,
    prefix = '',
    source = 'optimizer state',
  ): void {
    if (!Number.isInteger(step) || step < 0)
      throw new Error(`${source}: step must be a non-negative integer, got ${step}`);
    const stored = (kind: string, slot: MomentSlot): tf.Tensor => {
      const key = `${prefix}${kind}.${slot.name}`;
      const tensor = tensors[key];
      if (!tensor) throw new Error(`${source}: missing '${key}'`);
      if (!tf.util.arraysEqual(tensor.shape, slot.variable.shape)) {
        throw new Error(
          `${source}: '${key}' has shape [${tensor.shape.join(', ')}], expected [${slot.variable.shape.join(', ')}]`,
        );
      }
      return tensor;
    };
    const first = this.slots.map((slot) => stored('exp_avg', slot));
    const second = this.slots.map((slot) => stored('exp_avg_sq', slot));
    if (this.slots.length > 0) {
      tf.tidy(() => {
        const flat = (parts: tf.Tensor[]) =>
          tf.concat(parts.map((part) => tf.reshape(tf.cast(part, 'float32'), [-1])));
        this.firstMoments.assign(flat(first));
        this.secondMoments.assign(flat(second));
      });
    }
    this.step = step;
  }

  /** Frees the moments (not the variables). */
  dispose(): void {
    this.firstMoments.dispose();
    this.secondMoments.dispose();
  }
}
