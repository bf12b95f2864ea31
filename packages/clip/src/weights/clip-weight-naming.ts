import type { StoredTransform } from './stored-tensor';

/** Key conventions of CLIP weight files. */
export type ClipWeightNamingName = 'openai' | 'huggingface';

/** Which part of a CLIP a load reads. */
export type ClipWeightPart = 'all' | 'vision' | 'text';

/** The text before each tower's keys in a file. */
export interface KeyRoots {
  /** Before the image tower's keys (OpenAI: `visual.`; Hugging Face: the prefix of `vision_model.`). */
  vision: string;
  /** Before the text tower's (and `logit_scale`'s) keys. */
  text: string;
}

/** A key convention: how canonical (OpenAI state_dict) parameters are stored under it. */
export interface ClipWeightNaming {
  readonly name: ClipWeightNamingName;
  /** Root of the image tower's own keys when a tower is loaded alone and no prefix is given. */
  readonly defaultVisionRoot: string;
  /** Roots for a whole-model file whose keys all start with `prefix`. */
  modelRoots(prefix: string): KeyRoots;
  /** Stored key(s) holding a canonical parameter (several when it is split, e.g. q/k/v). */
  storedFor(canonicalKey: string, roots: KeyRoots): { key: string; transform: StoredTransform }[];
  /** Sort key of a stored key, so saved files list tensors in the naming's usual order. */
  orderRank(key: string, roots: KeyRoots): number[];
  /** Whether a stored key belongs to the part being loaded (others are ignored, not errors). */
  inScope(key: string, part: ClipWeightPart, roots: KeyRoots): boolean;
  /** Non-parameter entries tolerated in a file (e.g. index buffers). */
  isIgnorable(key: string, roots: KeyRoots): boolean;
  /** Whether a file's keys look like this naming. */
  recognizes(keys: readonly string[]): boolean;
}

/** Canonical keys of the image tower start with this; everything else is the text tower or `logit_scale`. */
export const CANONICAL_VISION_ROOT = 'visual.';

/** Whether a canonical key belongs to the image tower. */
export function isVisionKey(canonicalKey: string): boolean {
  return canonicalKey.startsWith(CANONICAL_VISION_ROOT);
}
