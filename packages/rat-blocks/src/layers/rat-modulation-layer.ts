import * as tf from '@tensorflow/tfjs';
import { type AffineCondition, AffineHeadsLayer } from './affine-heads-layer';

/**
 * The per-layer part of paper-mode RAT as a `tf.layers` layer: inputs `[x, h]` where `h` is the shared
 * cell's new hidden state ({@link RatCellLayer}); output `gamma(h) * x + beta(h)` with this layer's own
 * identity-initialised heads. Serialisable (class name `RatBlocksRatModulation`).
 */
export class RatModulationLayer extends AffineHeadsLayer {
  static className = 'RatBlocksRatModulation';

  protected override get condition(): AffineCondition {
    return { name: 'h', shape: '[batch, hidden]' };
  }
}

tf.serialization.registerClass(RatModulationLayer, 'RatBlocks');
