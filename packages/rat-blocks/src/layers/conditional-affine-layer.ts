import * as tf from '@tensorflow/tfjs';
import { type AffineCondition, AffineHeadsLayer } from './affine-heads-layer';

/**
 * DF-GAN's conditional affine as a `tf.layers` layer: inputs `[x, cond]`, output `gamma(cond) * x +
 * beta(cond)` with identity-initialised heads. Serialisable (class name `RatBlocksConditionalAffine`).
 */
export class ConditionalAffineLayer extends AffineHeadsLayer {
  static className = 'RatBlocksConditionalAffine';

  protected override get condition(): AffineCondition {
    return { name: 'cond', shape: '[batch, condDim]' };
  }
}

tf.serialization.registerClass(ConditionalAffineLayer, 'RatBlocks');
