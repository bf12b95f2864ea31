import type * as tf from '@tensorflow/tfjs';
import { RatCellLayer } from './rat-cell-layer';
import { RatInitialStateLayer } from './rat-initial-state-layer';
import { RatModulationLayer } from './rat-modulation-layer';

/** Options of {@link RatLayerChain}. */
export interface RatLayerChainOptions {
  /** The condition fed to the shared cell at every step, symbolic `[batch, condDim]`. */
  cond: tf.SymbolicTensor;
  /** Hidden size of the shared cell. Default 64. */
  hiddenSize?: number;
  /** Symbolic `[batch, noiseDim]`: when given, h0/c0 are learned projections of it (RAT-GAN); else zeros. */
  noise?: tf.SymbolicTensor;
  /** Base seed of the chain's layers (default: derived from layer names). */
  seed?: number;
  /** Prefix of the created layers' names. Default `'rat'`. */
  name?: string;
}

/**
 * Builds paper-mode RAT into a functional `tf.model` graph: one shared {@link RatCellLayer}, stepped by
 * every {@link modulate} call in the order the calls are made, each call adding its own
 * {@link RatModulationLayer}. Only symbolic tensors go in and out; the model owns all weights.
 *
 * @example
 * ```ts
 * const rat = new RatLayerChain({ cond, noise, hiddenSize: 64 });
 * let h = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
 * h = rat.modulate(h);
 * ```
 */
export class RatLayerChain {
  /** The shared cell (one set of weights for every step). */
  readonly cell: RatCellLayer;
  private h: tf.SymbolicTensor;
  private c: tf.SymbolicTensor;
  private readonly cond: tf.SymbolicTensor;
  private readonly prefix: string;
  private readonly seed: number | undefined;
  private steps = 0;

  constructor(options: RatLayerChainOptions) {
    const units = options.hiddenSize ?? 64;
    this.cond = options.cond;
    this.prefix = options.name ?? 'rat';
    this.seed = options.seed;
    const initial = new RatInitialStateLayer({
      units,
      learned: options.noise !== undefined,
      name: `${this.prefix}_initial_state`,
      ...this.seedFor(0),
    });
    [this.h, this.c] = initial.apply(options.noise ?? options.cond) as tf.SymbolicTensor[] as [
      tf.SymbolicTensor,
      tf.SymbolicTensor,
    ];
    this.cell = new RatCellLayer({ units, name: `${this.prefix}_cell`, ...this.seedFor(1) });
  }

  private seedFor(offset: number): { seed?: number } {
    return this.seed === undefined ? {} : { seed: this.seed + offset };
  }

  /**
   * Steps the shared cell with the condition and modulates `x` with a new layer's gamma/beta heads.
   * @param x symbolic `[batch, height, width, channels]`.
   * @returns symbolic, same shape as `x`.
   */
  modulate(x: tf.SymbolicTensor): tf.SymbolicTensor {
    [this.h, this.c] = this.cell.apply([this.cond, this.h, this.c]) as tf.SymbolicTensor[] as [
      tf.SymbolicTensor,
      tf.SymbolicTensor,
    ];
    this.steps++;
    const layer = new RatModulationLayer({
      name: `${this.prefix}_modulation_${this.steps}`,
      ...this.seedFor(1 + this.steps),
    });
    return layer.apply([x, this.h]) as tf.SymbolicTensor;
  }

  /** Modulations added so far. */
  get stepCount(): number {
    return this.steps;
  }
}
