import { initMlpHead, type MlpHeadParams } from '../core/mlp-head';
import { type HeadWeights, headParams, headWeightNames } from './head-weights';
import { RatBlocksLayer } from './rat-blocks-layer';

/**
 * A layer owning a gamma head and a beta head (Linear(in -> C) -> ReLU -> Linear(C -> C), identity
 * initialised): the base of {@link ConditionalAffineLayer} and {@link RatModulationLayer}.
 */
export abstract class AffineHeadsLayer extends RatBlocksLayer {
  private heads: { gamma: HeadWeights; beta: HeadWeights } | undefined;

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
