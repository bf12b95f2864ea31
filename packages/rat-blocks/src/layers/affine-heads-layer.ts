import * as tf from '@tensorflow/tfjs';
import { applyModulation } from '../blocks/modulation';
import { initMlpHead, type MlpHeadParams, mlpHeadForward } from '../core/mlp-head';
import { type HeadWeights, headParams, headWeightNames } from './head-weights';
import { inputList, type LayerShape, lastDimension, RatBlocksLayer, shapeList } from './rat-blocks-layer';

/** The condition input of an {@link AffineHeadsLayer}, as its errors name it. */
export interface AffineCondition {
  /** Input name: `cond`, `h`. */
  name: string;
  /** Its shape in words: `[batch, condDim]`. */
  shape: string;
}

/**
 * A layer owning a gamma head and a beta head (Linear(in -> C) -> ReLU -> Linear(C -> C), identity
 * initialised) that modulates its first input by its second: inputs `[x, condition]` with x
 * `[batch, height, width, channels]` and condition `[batch, features]`, output
 * `gamma(condition) * x + beta(condition)`. The base of {@link ConditionalAffineLayer} and
 * {@link RatModulationLayer}, which differ in what the condition is and in their serialised class name.
 */
export abstract class AffineHeadsLayer extends RatBlocksLayer {
  private heads: { gamma: HeadWeights; beta: HeadWeights } | undefined;

  /** The condition input, for error messages. */
  protected abstract get condition(): AffineCondition;

  private expectedInputs(): string {
    return `[x [batch, height, width, channels], ${this.condition.name} ${this.condition.shape}]`;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const layer = this.getClassName();
    const [xShape, conditionShape] = shapeList(inputShape, 2, layer, this.expectedInputs()) as [
      LayerShape,
      LayerShape,
    ];
    this.buildHeads(
      lastDimension(conditionShape, layer, this.condition.name),
      lastDimension(xShape, layer, 'x'),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [x, condition] = inputList(inputs, 2, this.name, this.expectedInputs()) as [tf.Tensor, tf.Tensor];
    return tf.tidy(() => {
      const heads = this.headsParams();
      return applyModulation(x, {
        gamma: mlpHeadForward(heads.gamma, condition),
        beta: mlpHeadForward(heads.beta, condition),
      });
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return shapeList(inputShape, 2, this.getClassName(), this.expectedInputs())[0]!;
  }

  /** Creates both heads reading `inFeatures` values and modulating `channels`. */
  protected buildHeads(inFeatures: number, channels: number): void {
    const random = this.initRandom();
    const make = (head: 'gamma' | 'beta', outputBias: number): HeadWeights => {
      const initial = initMlpHead(inFeatures, channels, outputBias, random);
      const names = headWeightNames(head);
      return {
        kernel1: this.addWeightFrom(names.kernel1, initial.linear1.weight),
        bias1: this.addWeightFrom(names.bias1, initial.linear1.bias!),
        kernel2: this.addWeightFrom(names.kernel2, initial.linear2.weight),
        bias2: this.addWeightFrom(names.bias2, initial.linear2.bias!),
      };
    };
    this.heads = { gamma: make('gamma', 1), beta: make('beta', 0) };
  }

  /** The heads as functional parameters. */
  protected headsParams(): { gamma: MlpHeadParams; beta: MlpHeadParams } {
    if (!this.heads) throw new Error(`${this.name}: layer used before it was built`);
    return { gamma: headParams(this.heads.gamma), beta: headParams(this.heads.beta) };
  }
}
