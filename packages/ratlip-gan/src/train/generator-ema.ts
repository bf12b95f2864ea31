import * as tf from '@tensorflow/tfjs';
import { cloneParamsFrozen } from '../model/clone-params';
import { namedTensors } from '../model/named-tensors';
import type { NetGParams } from '../model/net-g';

/**
 * An exponential moving average of the generator's weights, for sampling:
 * `ema = decay * ema + (1 - decay) * weight` after every generator update. Float tensors (BatchNorm
 * running statistics included) are averaged; integer buffers (`num_batches_tracked`) are copied.
 */
export class GeneratorEma {
  /** The averaged generator (non-trainable variables), usable wherever a `NetGParams` is. */
  readonly params: NetGParams;
  private readonly pairs: [source: tf.Tensor, average: tf.Variable][];

  /**
   * @param source the generator being trained.
   * @param decay per-update decay in [0, 1].
   */
  constructor(
    source: NetGParams,
    readonly decay: number,
  ) {
    if (!(decay >= 0 && decay <= 1)) throw new Error(`GeneratorEma: decay must be in [0, 1], got ${decay}`);
    this.params = cloneParamsFrozen(source);
    const averages = namedTensors(this.params);
    this.pairs = [...namedTensors(source)].map(([path, tensor]) => [
      tensor,
      averages.get(path) as tf.Variable,
    ]);
  }

  /** One EMA update from the source's current weights. */
  update(): void {
    tf.tidy(() => {
      for (const [source, average] of this.pairs) {
        if (source.dtype !== 'float32') average.assign(tf.clone(source));
        else average.assign(tf.add(tf.mul(average, this.decay), tf.mul(source, 1 - this.decay)));
      }
    });
  }

  /** Sets the average to the source's current weights. */
  reset(): void {
    tf.tidy(() => {
      for (const [source, average] of this.pairs) average.assign(tf.clone(source));
    });
  }

  /**
   * Sets the average to the weights of another generator of the same config (e.g. a stored EMA).
   * Throws naming the first tensor that is missing or shaped differently.
   */
  copyFrom(weights: NetGParams): void {
    const values = namedTensors(weights);
    tf.tidy(() => {
      for (const [path, average] of namedTensors(this.params)) {
        const value = values.get(path);
        if (!value || !tf.util.arraysEqual(value.shape, average.shape)) {
          throw new Error(`GeneratorEma.copyFrom: '${path}' is missing or has another shape`);
        }
        (average as tf.Variable).assign(tf.clone(value));
      }
    });
  }

  /** Frees the averaged weights. */
  dispose(): void {
    for (const [, average] of this.pairs) average.dispose();
  }
}
