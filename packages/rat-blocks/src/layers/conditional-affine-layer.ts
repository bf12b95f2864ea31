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

const LAYER = 'RatBlocksConditionalAffine';
const EXPECTED = '[x [batch, height, width, channels], cond [batch, condDim]]';

/**
 * DF-GAN's conditional affine as a `tf.layers` layer: inputs `[x, cond]`, output `gamma(cond) * x +
 * beta(cond)` with identity-initialised heads. Serialisable (class name `RatBlocksConditionalAffine`).
 */
export class ConditionalAffineLayer extends AffineHeadsLayer {
  static className = LAYER;

  constructor(args: SeededLayerArgs = {}) {
    super(args);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const [xShape, condShape] = shapeList(inputShape, 2, LAYER, EXPECTED) as [LayerShape, LayerShape];
    this.buildHeads(lastDimension(condShape, LAYER, 'cond'), lastDimension(xShape, LAYER, 'x'));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [x, cond] = inputList(inputs, 2, this.name, EXPECTED) as [tf.Tensor, tf.Tensor];
    return tf.tidy(() => {
      const heads = this.headsParams();
      return applyModulation(x, {
        gamma: mlpHeadForward(heads.gamma, cond),
        beta: mlpHeadForward(heads.beta, cond),
      });
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return shapeList(inputShape, 2, LAYER, EXPECTED)[0]!;
  }
}

tf.serialization.registerClass(ConditionalAffineLayer, 'RatBlocks');
