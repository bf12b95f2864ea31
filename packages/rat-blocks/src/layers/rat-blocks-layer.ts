import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** Constructor arguments of every `tf.layers.Layer` (name, trainable, inputShape, ...). */
export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** A tf.layers shape: `null` for the batch (or unknown) dimension. */
export type LayerShape = (number | null)[];

/** Extra arguments of the RAT-blocks layers that draw random initial weights. */
export interface SeededLayerArgs extends BaseLayerArgs {
  /**
   * Seed of the layer's initial weights (drawn with `SeededRandom`, PyTorch's default scheme). Default:
   * a hash of the layer name, so distinct layers start differently and a rebuilt model starts the same.
   */
  seed?: number;
}

function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Shared plumbing of the RAT-blocks layers: seeded weights initialised from functional-API tensors. */
export abstract class RatBlocksLayer extends tf.layers.Layer {
  protected readonly seed: number | undefined;

  constructor(args: SeededLayerArgs = {}) {
    super(args);
    this.seed = args.seed;
  }

  /** The random generator of this layer's initial weights. */
  protected initRandom(): SeededRandom {
    return new SeededRandom(this.seed ?? hashName(this.name));
  }

  /** Adds a weight holding `value`'s values; disposes `value`. */
  protected addWeightFrom(name: string, value: tf.Tensor, trainable = true): tf.LayerVariable {
    const weight = this.addWeight(
      name,
      value.shape,
      'float32',
      tf.initializers.zeros(),
      undefined,
      trainable,
    );
    weight.write(value);
    value.dispose();
    return weight;
  }

  /** Serialised arguments: the base layer's plus `seed` when one was given. */
  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    return this.seed === undefined ? config : { ...config, seed: this.seed };
  }
}

/** The single input of a layer, or an Error naming the layer. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new Error(`${layer}: expected one input, got ${inputs.length}`);
  return inputs[0]!;
}

/** Exactly `count` inputs, or an Error naming the layer and the expected list. */
export function inputList<T>(inputs: T | T[], count: number, layer: string, expected: string): T[] {
  if (!Array.isArray(inputs) || inputs.length !== count) {
    throw new Error(`${layer}: expected ${count} inputs ${expected}`);
  }
  return inputs;
}

/** Shape list of a multi-input layer, or an Error naming the layer. */
export function shapeList(
  inputShape: LayerShape | LayerShape[],
  count: number,
  layer: string,
  expected: string,
): LayerShape[] {
  const shapes = inputShape as LayerShape[];
  if (!Array.isArray(shapes[0]) || shapes.length !== count) {
    throw new Error(`${layer}: expected ${count} inputs ${expected}`);
  }
  return shapes;
}

/** The last dimension of a shape, or an Error naming the layer and input. */
export function lastDimension(shape: LayerShape, layer: string, input: string): number {
  const size = shape[shape.length - 1];
  if (typeof size !== 'number') throw new Error(`${layer}: the last dimension of ${input} must be known`);
  return size;
}
