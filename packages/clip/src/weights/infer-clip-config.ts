import type { ClipTextConfig, ClipVisionConfig } from '../model/clip-config';
import type { ClipWeightNaming, KeyRoots } from './clip-weight-naming';
import { canonicalShapeOf } from './stored-tensor';
import type { ClipTensorSource } from './tensor-source';

/**
 * Attention heads cannot be read from weight shapes. They come from these options, else from the file's
 * `__metadata__.config` (OpenAI-style JSON with `vision_heads`/`transformer_heads`, as this package
 * saves), else OpenAI's rule `width / 64`.
 */
export interface ClipHeadsOptions {
  /** Heads of the image tower. */
  visionHeads?: number;
  /** Heads of the text tower. */
  textHeads?: number;
}

interface Lookup {
  source: ClipTensorSource;
  names: ReadonlySet<string>;
  naming: ClipWeightNaming;
  roots: KeyRoots;
}

function canonicalShape(lookup: Lookup, canonicalKey: string): number[] {
  const stored = lookup.naming.storedFor(canonicalKey, lookup.roots)[0]!;
  if (!lookup.names.has(stored.key)) {
    throw new Error(
      `${lookup.source.source}: missing tensor '${stored.key}' (${lookup.naming.name} naming; needed to infer the config)`,
    );
  }
  return canonicalShapeOf(lookup.source.shape(stored.key), stored.transform);
}

function countBlocks(lookup: Lookup, blockRoot: string): number {
  let layers = 0;
  while (
    lookup.names.has(lookup.naming.storedFor(`${blockRoot}${layers}.ln_1.weight`, lookup.roots)[0]!.key)
  ) {
    layers++;
  }
  return layers;
}

function metadataHeads(source: ClipTensorSource, field: string): number | undefined {
  const text = source.metadata['config'];
  if (text === undefined) return undefined;
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[field];
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

function heads(source: ClipTensorSource, given: number | undefined, field: string, width: number): number {
  const value = given ?? metadataHeads(source, field) ?? width / 64;
  if (!Number.isInteger(value) || value <= 0 || width % value !== 0) {
    throw new Error(
      `${source.source}: cannot tell the attention heads of width ${width} (got ${value}); pass the '${field === 'vision_heads' ? 'visionHeads' : 'textHeads'}' option`,
    );
  }
  return value;
}

/** The image tower's config from the stored shapes (heads per {@link ClipHeadsOptions}). */
export function inferVisionConfig(
  source: ClipTensorSource,
  naming: ClipWeightNaming,
  roots: KeyRoots,
  options: ClipHeadsOptions = {},
): ClipVisionConfig {
  const lookup: Lookup = { source, names: new Set(source.names()), naming, roots };
  const [width, , patchSize] = canonicalShape(lookup, 'visual.conv1.weight') as [number, number, number];
  const [tokens] = canonicalShape(lookup, 'visual.positional_embedding') as [number];
  const grid = Math.round(Math.sqrt(tokens - 1));
  if (grid * grid + 1 !== tokens) {
    throw new Error(`${source.source}: the image positional embedding has ${tokens} rows, not 1 + a square`);
  }
  const [, embedDim] = canonicalShape(lookup, 'visual.proj') as [number, number];
  return {
    imageSize: grid * patchSize,
    patchSize,
    width,
    layers: countBlocks(lookup, 'visual.transformer.resblocks.'),
    heads: heads(source, options.visionHeads, 'vision_heads', width),
    embedDim,
  };
}

/** The text tower's config from the stored shapes (heads per {@link ClipHeadsOptions}). */
export function inferTextConfig(
  source: ClipTensorSource,
  naming: ClipWeightNaming,
  roots: KeyRoots,
  options: ClipHeadsOptions = {},
): ClipTextConfig {
  const lookup: Lookup = { source, names: new Set(source.names()), naming, roots };
  const [vocabSize, width] = canonicalShape(lookup, 'token_embedding.weight') as [number, number];
  const [contextLength] = canonicalShape(lookup, 'positional_embedding') as [number];
  const [, embedDim] = canonicalShape(lookup, 'text_projection') as [number, number];
  return {
    contextLength,
    vocabSize,
    width,
    layers: countBlocks(lookup, 'transformer.resblocks.'),
    heads: heads(source, options.textHeads, 'transformer_heads', width),
    embedDim,
  };
}
