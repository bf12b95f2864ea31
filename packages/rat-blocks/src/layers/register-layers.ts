import * as tf from '@tensorflow/tfjs';
import { ConditionalAffineLayer } from './conditional-affine-layer';
import { RatCellLayer } from './rat-cell-layer';
import { RatInitialStateLayer } from './rat-initial-state-layer';
import { RatModulationLayer } from './rat-modulation-layer';
import { ShuffleAttentionLayer } from './shuffle-attention-layer';

/** Every serialisable layer class of this package. */
export const RAT_BLOCKS_LAYER_CLASSES = [
  ShuffleAttentionLayer,
  ConditionalAffineLayer,
  RatCellLayer,
  RatModulationLayer,
  RatInitialStateLayer,
] as const;

/**
 * Registers the layer classes with `tf.serialization` (importing a class's module already does; a bundler
 * may drop modules you never reference, so call this before `tf.loadLayersModel` in that case).
 * Idempotent.
 */
export function registerRatBlocksLayers(): void {
  for (const layerClass of RAT_BLOCKS_LAYER_CLASSES) tf.serialization.registerClass(layerClass, 'RatBlocks');
}
