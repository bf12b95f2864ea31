import type { SafetensorsFile } from '@ratlip/runtime';

/**
 * Where weights are read from: named float tensors with shapes. A `SafetensorsFile` (from
 * `readSafetensors`, in memory or behind a file reader) is one; tests build others (e.g. procedural
 * weights) without writing a file.
 */
export interface ClipTensorSource {
  /** Names the source in error messages (a file path, for example). */
  readonly source: string;
  /** String metadata (safetensors `__metadata__`); may hold the config (see `loadClipWeights`). */
  readonly metadata: Readonly<Record<string, string>>;
  names(): string[];
  /** Shape of a tensor listed by `names()`. */
  shape(name: string): readonly number[];
  /** Row-major values as float32 (F16/BF16 upcast); a fresh array each call (loaders may keep it). */
  float32(name: string): Float32Array;
}

/** What the loaders accept: a `SafetensorsFile` or any {@link ClipTensorSource}. */
export type ClipWeightsInput = SafetensorsFile | ClipTensorSource;

function isSafetensorsFile(input: ClipWeightsInput): input is SafetensorsFile {
  return typeof (input as SafetensorsFile).entry === 'function';
}

/** Wraps a `SafetensorsFile` (or passes a {@link ClipTensorSource} through). */
export function toTensorSource(input: ClipWeightsInput): ClipTensorSource {
  if (!isSafetensorsFile(input)) return input;
  return {
    source: input.source,
    metadata: input.metadata,
    names: () => input.names(),
    shape: (name) => input.entry(name).shape,
    float32: (name) => input.float32(name),
  };
}
