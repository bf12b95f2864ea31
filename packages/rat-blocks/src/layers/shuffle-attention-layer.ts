import * as tf from '@tensorflow/tfjs';
import {
  initShuffleAttention,
  SHUFFLE_ATTENTION_GROUPS,
  type ShuffleAttentionParams,
  shuffleAttentionForward,
} from '../blocks/shuffle-attention';
import {
  type BaseLayerArgs,
  type LayerShape,
  lastDimension,
  RatBlocksLayer,
  singleInput,
} from './rat-blocks-layer';

/** Arguments of {@link ShuffleAttentionLayer}. */
export interface ShuffleAttentionLayerArgs extends BaseLayerArgs {
  /** Number of groups. Default 8; channels must be a multiple of 2 * groups. */
  groups?: number;
}

const PARAM_KEYS = ['cweight', 'cbias', 'sweight', 'sbias', 'gnWeight', 'gnBias'] as const;

/**
 * Shuffle attention as a `tf.layers` layer: input and output `[batch, height, width, channels]`, reference
 * initialisation (see {@link shuffleAttentionForward}). Serialisable (class name `RatBlocksShuffleAttention`).
 */
export class ShuffleAttentionLayer extends RatBlocksLayer {
  static className = 'RatBlocksShuffleAttention';
  private readonly groups: number;
  private weightsByKey: Record<(typeof PARAM_KEYS)[number], tf.LayerVariable> | undefined;

  constructor(args: ShuffleAttentionLayerArgs = {}) {
    super(args);
    this.groups = args.groups ?? SHUFFLE_ATTENTION_GROUPS;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const channels = lastDimension(inputShape as LayerShape, this.getClassName(), 'x');
    const initial = initShuffleAttention(channels, this.groups);
    const entries = PARAM_KEYS.map((key) => [key, this.addWeightFrom(key, initial[key])] as const);
    this.weightsByKey = Object.fromEntries(entries) as Record<(typeof PARAM_KEYS)[number], tf.LayerVariable>;
    this.built = true;
  }

  private params(): ShuffleAttentionParams {
    const weights = this.weightsByKey;
    if (!weights) throw new Error(`${this.name}: layer used before it was built`);
    return {
      cweight: weights.cweight.read(),
      cbias: weights.cbias.read(),
      sweight: weights.sweight.read(),
      sbias: weights.sbias.read(),
      gnWeight: weights.gnWeight.read(),
      gnBias: weights.gnBias.read(),
    };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => shuffleAttentionForward(this.params(), singleInput(inputs, this.name)));
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return inputShape as LayerShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}

tf.serialization.registerClass(ShuffleAttentionLayer, 'RatBlocks');
