import type { SafetensorsFile } from '@ratlip/runtime';

/** Named float tensors in PyTorch layout (a state_dict), whatever file they come from. */
export interface TensorSource {
  /** Name of the file or generator, used in error messages. */
  readonly source: string;
  has(name: string): boolean;
  /** Shape in PyTorch layout. */
  shape(name: string): readonly number[];
  /** Values in row-major order of the PyTorch layout, as a new array the caller owns. */
  float32(name: string): Float32Array;
}

/** A {@link TensorSource} over a safetensors file (any float dtype; values converted to float32). */
export function tensorSourceFromSafetensors(file: SafetensorsFile): TensorSource {
  return {
    source: file.source,
    has: (name) => file.has(name),
    shape: (name) => file.entry(name).shape,
    float32: (name) => file.float32(name),
  };
}
