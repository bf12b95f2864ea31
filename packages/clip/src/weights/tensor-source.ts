import type { SafetensorsFile } from '@ratlip/runtime';
import { expandCompactTokenEmbedding } from './compact-token-embedding';

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

/** The tensors of the input exactly as stored (a compact token embedding stays compact). */
export function storedTensorSource(input: ClipWeightsInput): ClipTensorSource {
  if (!isSafetensorsFile(input)) return input;
  return {
    source: input.source,
    metadata: input.metadata,
    names: () => input.names(),
    shape: (name) => input.entry(name).shape,
    float32: (name) => input.float32(name),
  };
}

/**
 * The tensors the loaders read: a `SafetensorsFile` wrapped (a {@link ClipTensorSource} as it is), with
 * a compact token embedding (see `COMPACT_TOKEN_EMBEDDING_METADATA`) expanded to the full vocabulary,
 * rows of dropped tokens zero. Throws naming the file when the compact record is malformed.
 */
export function toTensorSource(input: ClipWeightsInput): ClipTensorSource {
  return expandCompactTokenEmbedding(storedTensorSource(input));
}
