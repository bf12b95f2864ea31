import type { SafetensorsInput } from '@ratlip/runtime';
import type * as tf from '@tensorflow/tfjs';
import { type ParameterSlot, slotTorchValues } from '../model/parameter-layout';
import type { ClipWeightNaming, KeyRoots } from './clip-weight-naming';
import { expectedStoredTensors } from './read-stored-parameters';
import { storedValues } from './stored-tensor';

/** Float dtypes a CLIP can be saved in. */
export type ClipSaveDtype = 'F32' | 'F16';

/**
 * Converts TF.js-layout parameters to stored tensors under a naming, in the naming's usual order.
 * @param entries canonical key -> tensor, one per slot.
 */
export function writeStoredParameters(
  slots: readonly ParameterSlot[],
  entries: ReadonlyMap<string, tf.Tensor>,
  naming: ClipWeightNaming,
  roots: KeyRoots,
  dtype: ClipSaveDtype,
): Record<string, SafetensorsInput> {
  const canonical = new Map(slots.map((slot) => [slot.key, slotTorchValues(slot, entries.get(slot.key)!)]));
  const slotShapes = new Map(slots.map((slot) => [slot.key, slot.torchShape]));
  const out: Record<string, SafetensorsInput> = {};
  for (const tensor of expectedStoredTensors(slots, naming, roots)) {
    out[tensor.key] = {
      dtype,
      shape: tensor.shape,
      data: storedValues(tensor, slotShapes.get(tensor.canonicalKey)!, canonical.get(tensor.canonicalKey)!),
    };
  }
  return out;
}
