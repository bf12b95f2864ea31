import * as tf from '@tensorflow/tfjs';
import type { SafetensorsDtype, SafetensorsFile, SafetensorsInput } from './safetensors';

/** Options of {@link tensorsToSafetensors}. */
export interface TensorsToSafetensorsOptions {
  /** How float32 tensors are stored: 'F32' (default, exact), 'F16' or 'BF16' (rounded to nearest even). */
  floatDtype?: 'F32' | 'F16' | 'BF16';
}

function dtypeFor(name: string, tensor: tf.Tensor, floatDtype: SafetensorsDtype): SafetensorsDtype {
  switch (tensor.dtype) {
    case 'float32':
      return floatDtype;
    case 'int32':
      return 'I32';
    case 'bool':
      return 'BOOL';
    default:
      throw new Error(
        `tensorsToSafetensors: tensor '${name}' has dtype ${tensor.dtype}, which safetensors cannot hold here`,
      );
  }
}

/**
 * Reads tf.Tensors into writer inputs (float32 as `floatDtype`, int32 as I32, bool as BOOL), in
 * the record's key order, without changing layouts. The tensors stay owned by the caller.
 */
export async function tensorsToSafetensors(
  tensors: Record<string, tf.Tensor>,
  options: TensorsToSafetensorsOptions = {},
): Promise<Record<string, SafetensorsInput>> {
  const out: Record<string, SafetensorsInput> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    const dtype = dtypeFor(name, tensor, options.floatDtype ?? 'F32');
    out[name] = {
      dtype,
      shape: [...tensor.shape],
      data: (await tensor.data()) as Float32Array | Int32Array | Uint8Array,
    };
  }
  return out;
}

/** Synchronous {@link tensorsToSafetensors} (blocks on GPU backends; prefer the async one there). */
export function tensorsToSafetensorsSync(
  tensors: Record<string, tf.Tensor>,
  options: TensorsToSafetensorsOptions = {},
): Record<string, SafetensorsInput> {
  const out: Record<string, SafetensorsInput> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    const dtype = dtypeFor(name, tensor, options.floatDtype ?? 'F32');
    out[name] = {
      dtype,
      shape: [...tensor.shape],
      data: tensor.dataSync() as Float32Array | Int32Array | Uint8Array,
    };
  }
  return out;
}

/**
 * Loads tensors of a file as tf.Tensors in their stored layout (see `SafetensorsFile.tensor`).
 * `names` defaults to every tensor of the file. The caller owns (disposes) the tensors.
 */
export function safetensorsToTensors(
  file: SafetensorsFile,
  names: readonly string[] = file.names(),
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const name of names) out[name] = file.tensor(name);
  } catch (error) {
    tf.dispose(Object.values(out));
    throw error;
  }
  return out;
}
