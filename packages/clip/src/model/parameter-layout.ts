import * as tf from '@tensorflow/tfjs';
import { permuteValues } from './permute-values';

/**
 * How a parameter is stored in TF.js compared with its PyTorch (OpenAI state_dict) layout:
 * - `plain`: the same shape and order (embeddings, biases, LayerNorm, `proj`/`text_projection`).
 * - `linear`: a Linear weight, PyTorch `[out, in]`, TF.js `[in, out]` so that `x @ W` applies it.
 * - `patch`: the patch-embedding conv, PyTorch `[width, 3, patch, patch]`, TF.js
 *   `[patch * patch * 3, width]` with rows in (row, column, channel) order of a channels-last patch.
 */
export type ParameterLayout = 'plain' | 'linear' | 'patch';

/** One parameter of the model: its canonical (OpenAI) key, PyTorch shape and TF.js layout. */
export interface ParameterSlot {
  /** OpenAI `CLIP` state_dict key, e.g. `visual.transformer.resblocks.0.attn.in_proj_weight`. */
  key: string;
  /** Shape in the PyTorch layout. */
  torchShape: number[];
  layout: ParameterLayout;
}

interface LayoutConversion {
  tfShape(torchShape: readonly number[]): number[];
  /** PyTorch-layout values to TF.js-layout values (may return the input for `plain`). */
  toTf(values: Float32Array, torchShape: readonly number[]): Float32Array;
  /** TF.js-layout values to new PyTorch-layout values. */
  toTorch(values: Float32Array, torchShape: readonly number[]): Float32Array;
}

const LAYOUTS: Record<ParameterLayout, LayoutConversion> = {
  plain: {
    tfShape: (shape) => [...shape],
    toTf: (values) => values,
    toTorch: (values) => values.slice(),
  },
  linear: {
    tfShape: ([out, input]) => [input!, out!],
    toTf: (values, [out, input]) => permuteValues(values, [out!, input!], [1, 0]),
    toTorch: (values, [out, input]) => permuteValues(values, [input!, out!], [1, 0]),
  },
  patch: {
    tfShape: ([width, channels, height, breadth]) => [height! * breadth! * channels!, width!],
    toTf: (values, shape) => permuteValues(values, shape, [2, 3, 1, 0]),
    toTorch: (values, [width, channels, height, breadth]) =>
      permuteValues(values, [height!, breadth!, channels!, width!], [3, 2, 0, 1]),
  },
};

/** The TF.js shape of a slot. */
export function slotTfShape(slot: ParameterSlot): number[] {
  return LAYOUTS[slot.layout].tfShape(slot.torchShape);
}

/**
 * Converts PyTorch-layout values of a slot to a new TF.js-layout float32 tensor (owned by the caller).
 * @param values row-major values of `slot.torchShape`.
 */
export function slotTensorFromTorch(slot: ParameterSlot, values: Float32Array): tf.Tensor {
  const expected = slot.torchShape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) {
    throw new Error(
      `parameter '${slot.key}': ${values.length} values for shape [${slot.torchShape.join(', ')}]`,
    );
  }
  return tf.tensor(LAYOUTS[slot.layout].toTf(values, slot.torchShape), slotTfShape(slot), 'float32');
}

/** New row-major PyTorch-layout values of a TF.js-layout parameter tensor. */
export function slotTorchValues(slot: ParameterSlot, tensor: tf.Tensor): Float32Array {
  return LAYOUTS[slot.layout].toTorch(tensor.dataSync() as Float32Array, slot.torchShape);
}

/** Throws naming the slot key when a tensor's shape is not the slot's TF.js shape. */
export function checkSlotShape(slot: ParameterSlot, tensor: tf.Tensor, where: string): void {
  const expected = slotTfShape(slot);
  if (tensor.shape.length !== expected.length || tensor.shape.some((d, i) => d !== expected[i])) {
    throw new Error(
      `${where}: parameter '${slot.key}' has shape [${tensor.shape.join(', ')}], expected [${expected.join(', ')}] (TF.js layout)`,
    );
  }
}

/** Throws naming the key unless every slot has a tensor of its TF.js shape and there is nothing else. */
export function checkParameterEntries(
  slots: readonly ParameterSlot[],
  entries: ReadonlyMap<string, tf.Tensor>,
  where: string,
): void {
  for (const slot of slots) {
    const tensor = entries.get(slot.key);
    if (!tensor) throw new Error(`${where}: parameter '${slot.key}' is missing`);
    checkSlotShape(slot, tensor, where);
  }
  const known = new Set(slots.map((slot) => slot.key));
  for (const key of entries.keys()) {
    if (!known.has(key)) throw new Error(`${where}: unexpected parameter '${key}' for the config`);
  }
}
