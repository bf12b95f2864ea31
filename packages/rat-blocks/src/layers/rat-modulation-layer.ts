import * as tf from '@tensorflow/tfjs';
import { applyModulation } from '../blocks/modulation';
import { mlpHeadForward } from '../core/mlp-head';
import { AffineHeadsLayer } from './affine-heads-layer';
import {
  inputList,
  type LayerShape,
  lastDimension,
  type SeededLayerArgs,
  shapeList,
} from './rat-blocks-layer';

const LAYER = 'RatBlocksRatModulation';
const EXPECTED = '[x [batch, height, width, channels], h [batch, hidden]]';

/**
 * The per-layer part of paper-mode RAT as a `tf.layers` layer: inputs `[x, h]` where `h` is the shared
 * cell's new hidden state ({@link RatCellLayer}); output `gamma(h) * x + beta(h)` with this layer's own
 * identity-initialised heads. Serialisable (class name `RatBlocksRatModulation`).
 */
export class RatModulationLayer extends AffineHeadsLayer {
  static className = LAYER;

  constructor(args: SeededLayerArgs = {}) {
    super(args);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const [xShape, hShape] = shapeList(inputShape, 2, LAYER, EXPECTED) as [LayerShape, LayerShape];
    this.buildHeads(lastDimension(hShape, LAYER, 'h'), lastDimension(xShape, LAYER, 'x'));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [x, h] = inputList(inputs, 2, this.name, EXPECTED) as [tf.Tensor, tf.Tensor];
    return tf.tidy(() => {
      const heads = this.headsParams();
      return applyModulation(x, {
        gamma: mlpHeadForward(heads.gamma, h),
        beta: mlpHeadForward(heads.beta, h),
      });
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return shapeList(inputShape, 2, LAYER, EXPECTED)[0]!;
  }
}

tf.serialization.registerClass(RatModulationLayer, 'RatBlocks');
