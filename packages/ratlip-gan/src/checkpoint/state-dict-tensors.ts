import type { StateDict } from '@ratlip/rat-blocks';
import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  type SafetensorsFile,
  type SafetensorsInput,
  type TorchTensor,
} from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/**
 * Conversions between state dicts of tf.Tensors (PyTorch layouts, official key names) and the
 * containers they are stored in: safetensors files and PyTorch checkpoints.
 */

/** Integer buffers (BatchNorm `num_batches_tracked`) are stored as I64, as PyTorch does. */
function isIntegerBuffer(key: string, tensor: tf.Tensor): boolean {
  return tensor.dtype === 'int32' && key.endsWith('num_batches_tracked');
}

/** Writer inputs for a state dict: float32 as F32, `num_batches_tracked` as I64, other int32 as I32. */
export function stateDictToSafetensors(dict: StateDict): Record<string, SafetensorsInput> {
  const out: Record<string, SafetensorsInput> = {};
  for (const [key, tensor] of Object.entries(dict)) {
    const data = tensor.dataSync();
    if (tensor.dtype === 'float32')
      out[key] = { dtype: 'F32', shape: [...tensor.shape], data: data as Float32Array };
    else if (isIntegerBuffer(key, tensor))
      out[key] = { dtype: 'I64', shape: [...tensor.shape], data: Array.from(data) };
    else if (tensor.dtype === 'int32')
      out[key] = { dtype: 'I32', shape: [...tensor.shape], data: data as Int32Array };
    else throw new Error(`state dict: '${key}' has dtype ${tensor.dtype}, which cannot be stored`);
  }
  return out;
}

/**
 * Every tensor of a safetensors file (or those under `prefix`, with the prefix removed) as a state
 * dict; the caller disposes the tensors.
 */
export function safetensorsToStateDict(file: SafetensorsFile, prefix = ''): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const name of file.names()) {
      if (name.startsWith(prefix)) out[name.slice(prefix.length)] = file.tensor(name);
    }
  } catch (error) {
    tf.dispose(Object.values(out));
    throw error;
  }
  return out;
}

function torchValues(
  key: string,
  tensor: TorchTensor,
  source: string,
): { values: Float32Array | Int32Array; dtype: 'float32' | 'int32' } {
  switch (tensor.dtype) {
    case 'F32':
      return { values: tensor.data as Float32Array, dtype: 'float32' };
    case 'F64':
      return { values: Float32Array.from(tensor.data as Float64Array), dtype: 'float32' };
    case 'F16':
      return { values: float16ArrayToFloat32(tensor.data as Uint16Array), dtype: 'float32' };
    case 'BF16':
      return { values: bfloat16ArrayToFloat32(tensor.data as Uint16Array), dtype: 'float32' };
    case 'I64':
      return { values: Int32Array.from(tensor.data as BigInt64Array, (v) => Number(v)), dtype: 'int32' };
    case 'I32':
      return { values: tensor.data as Int32Array, dtype: 'int32' };
    default:
      throw new Error(
        `${source}: '${key}' has dtype ${tensor.dtype}, which a RATLIP state dict does not hold`,
      );
  }
}

/**
 * A flattened PyTorch state dict (`flattenTorchStateDict`) as tf.Tensors in PyTorch layout, without
 * keys starting with any of `skipPrefixes`; F16/BF16/F64 become float32, I64 int32. The caller
 * disposes the tensors.
 * @param source names the checkpoint in error messages.
 */
export function torchStateDictToTensors(
  dict: ReadonlyMap<string, TorchTensor>,
  source: string,
  skipPrefixes: readonly string[] = [],
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [key, tensor] of dict) {
      if (skipPrefixes.some((prefix) => key.startsWith(prefix))) continue;
      const { values, dtype } = torchValues(key, tensor, source);
      out[key] = tf.tensor(values, tensor.shape, dtype);
    }
  } catch (error) {
    tf.dispose(Object.values(out));
    throw error;
  }
  return out;
}

/** Disposes every tensor of a state dict. */
export function disposeStateDict(dict: StateDict | undefined): void {
  if (dict) tf.dispose(Object.values(dict));
}
