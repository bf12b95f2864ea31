import type * as tf from '@tensorflow/tfjs';
import type { MlpHeadParams } from '../core/mlp-head';

/** The four layer weights of one gamma/beta head, in {@link MlpHeadParams} order. */
export interface HeadWeights {
  readonly kernel1: tf.LayerVariable;
  readonly bias1: tf.LayerVariable;
  readonly kernel2: tf.LayerVariable;
  readonly bias2: tf.LayerVariable;
}

/** Weight names of a head inside a layer, e.g. `gamma_linear1_kernel`. */
export function headWeightNames(head: 'gamma' | 'beta'): Record<keyof HeadWeights, string> {
  return {
    kernel1: `${head}_linear1_kernel`,
    bias1: `${head}_linear1_bias`,
    kernel2: `${head}_linear2_kernel`,
    bias2: `${head}_linear2_bias`,
  };
}

/** The functional-API view of a head's layer weights (no copies). */
export function headParams(weights: HeadWeights): MlpHeadParams {
  return {
    linear1: { weight: weights.kernel1.read(), bias: weights.bias1.read() },
    linear2: { weight: weights.kernel2.read(), bias: weights.bias2.read() },
  };
}
