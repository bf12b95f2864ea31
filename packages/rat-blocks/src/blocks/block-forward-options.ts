import type { RecurrentAffineChain } from './recurrent-affine-chain';

/** Forward options of the conditional blocks (M-block, G-block). */
export interface ConditionalBlockForwardOptions {
  /** BatchNorm in training mode (batch statistics, running-stat update). Default false. */
  training?: boolean;
  /** The pass's chain, required when the block has paper-mode recurrent affines. */
  chain?: RecurrentAffineChain;
}
