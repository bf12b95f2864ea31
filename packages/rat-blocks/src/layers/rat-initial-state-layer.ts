import * as tf from '@tensorflow/tfjs';
import { initLinear, type LinearParams, linearForward } from '../core/linear';
import {
  type LayerShape,
  lastDimension,
  RatBlocksLayer,
  type SeededLayerArgs,
  singleInput,
} from './rat-blocks-layer';

const LAYER = 'RatBlocksRatInitialState';

/** Arguments of {@link RatInitialStateLayer}. */
export interface RatInitialStateLayerArgs extends SeededLayerArgs {
  /** Hidden size of the RAT cell. */
  units: number;
  /** true: h0 = Linear(noise), c0 = Linear(noise) (RAT-GAN); false (default): zeros. */
  learned?: boolean;
}

/**
 * Resets paper-mode RAT's state for each forward pass, as a `tf.layers` layer: input `[batch, features]`
 * (the noise when `learned`, any per-sample tensor otherwise), outputs `[h0, c0]`, `[batch, units]` each.
 * Serialisable (class name `RatBlocksRatInitialState`).
 */
export class RatInitialStateLayer extends RatBlocksLayer {
  static className = LAYER;
  readonly units: number;
  readonly learned: boolean;
  private projections:
    | { h: Record<'weight' | 'bias', tf.LayerVariable>; c: Record<'weight' | 'bias', tf.LayerVariable> }
    | undefined;

  constructor(args: RatInitialStateLayerArgs) {
    super(args);
    if (!Number.isInteger(args?.units) || args.units <= 0) {
      throw new Error(`${LAYER}: args.units must be a positive integer, got ${args?.units}`);
    }
    this.units = args.units;
    this.learned = args.learned ?? false;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    if (this.learned) {
      const features = lastDimension(inputShape as LayerShape, LAYER, 'noise');
      const random = this.initRandom();
      const make = (name: string) => {
        const initial = initLinear(features, this.units, random);
        return {
          weight: this.addWeightFrom(`${name}_kernel`, initial.weight),
          bias: this.addWeightFrom(`${name}_bias`, initial.bias!),
        };
      };
      this.projections = { h: make('init_h'), c: make('init_c') };
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const noise = singleInput(inputs, this.name);
    return tf.tidy(() => {
      const projections = this.projections;
      if (!projections) {
        const zeros = tf.zeros([noise.shape[0]!, this.units]);
        return [zeros, tf.clone(zeros)];
      }
      const linear = (weights: Record<'weight' | 'bias', tf.LayerVariable>): LinearParams => ({
        weight: weights.weight.read(),
        bias: weights.bias.read(),
      });
      return [linearForward(linear(projections.h), noise), linearForward(linear(projections.c), noise)];
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape[] {
    const batch = (inputShape as LayerShape)[0] ?? null;
    return [
      [batch, this.units],
      [batch, this.units],
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, learned: this.learned };
  }
}

tf.serialization.registerClass(RatInitialStateLayer, 'RatBlocks');
