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

/**
 * PyTorch's `torch.optim.Adam` (no weight decay, no amsgrad) over named variables, with its state
 * (first and second moments, step count) exposed by name so checkpoints can store and restore it
 * exactly:
 * `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 */
export class AdamOptimizer {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Updates applied so far (PyTorch's `step`). */
  step = 0;
  private readonly variables: ReadonlyMap<string, tf.Variable>;
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();

  /** @param variables the trainable variables by a stable name (moments are stored under it). */
  constructor(variables: ReadonlyMap<string, tf.Variable>, options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0;
    this.beta2 = options.beta2 ?? 0.9;
    this.epsilon = options.epsilon ?? 1e-8;
    this.variables = variables;
    // Variables survive the tidy; the zero tensors they were made from do not.
    tf.tidy(() => {
      for (const [name, variable] of variables) {
        this.firstMoments.set(name, tf.variable(tf.zerosLike(variable), false));
        this.secondMoments.set(name, tf.variable(tf.zerosLike(variable), false));
      }
    });
  }

  /** Names of the optimised variables. */
  get names(): string[] {
    return [...this.variables.keys()];
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
    tf.tidy(() => {
      for (const [name, variable] of this.variables) {
        const gradient = gradients[variable.name];
        if (!gradient) continue;
        const m = this.firstMoments.get(name)!;
        const v = this.secondMoments.get(name)!;
        const newM = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
        const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        const denominator = tf.add(tf.div(tf.sqrt(newV), correction2Sqrt), epsilon);
        m.assign(newM);
        v.assign(newV);
        variable.assign(tf.sub(variable, tf.mul(tf.div(newM, denominator), stepSize)));
      }
    });
  }

  /**
   * The moments as new tensors named `<prefix>exp_avg.<name>` and `<prefix>exp_avg_sq.<name>` (in the
   * variables' TF.js layouts); the caller disposes them.
   */
  stateTensors(prefix = ''): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const name of this.variables.keys()) {
      out[`${prefix}exp_avg.${name}`] = tf.clone(this.firstMoments.get(name)!);
      out[`${prefix}exp_avg_sq.${name}`] = tf.clone(this.secondMoments.get(name)!);
    }
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
    for (const [name, variable] of this.variables) {
      for (const [kind, moments] of [
        ['exp_avg', this.firstMoments],
        ['exp_avg_sq', this.secondMoments],
      ] as const) {
        const key = `${prefix}${kind}.${name}`;
        const tensor = tensors[key];
        if (!tensor) throw new Error(`${source}: missing '${key}'`);
        if (!tf.util.arraysEqual(tensor.shape, variable.shape)) {
          throw new Error(
            `${source}: '${key}' has shape [${tensor.shape.join(', ')}], expected [${variable.shape.join(', ')}]`,
          );
        }
        tf.tidy(() => moments.get(name)!.assign(tf.cast(tensor, 'float32')));
      }
    }
    this.step = step;
  }

  /** Frees the moments (not the variables). */
  dispose(): void {
    for (const tensor of [...this.firstMoments.values(), ...this.secondMoments.values()]) tensor.dispose();
  }
}
