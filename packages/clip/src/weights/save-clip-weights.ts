import type { SafetensorsInput } from '@ratlip/runtime';
import type { ClipModel } from '../model/clip-model';
import { clipParameterEntries, clipParameterSlots } from '../model/clip-parameters';
import { openAiArgumentsFromClipConfig } from '../model/reference-config';
import { textParameterEntries, textParameterSlots } from '../model/text-parameters';
import type { ClipTextTransformer } from '../model/text-transformer';
import { visionParameterEntries, visionParameterSlots } from '../model/vision-parameters';
import type { ClipVisionTransformer } from '../model/vision-transformer';
import type { ClipWeightNamingName, KeyRoots } from './clip-weight-naming';
import { clipWeightNaming } from './clip-weight-namings';
import { type ClipSaveDtype, writeStoredParameters } from './write-stored-parameters';

/** Options of the savers. */
export interface SaveClipWeightsOptions {
  /** Key convention to write. Default `'openai'`. */
  naming?: ClipWeightNamingName;
  /**
   * Text before the keys. Whole model / text tower: before every key, default `''`. Image tower alone:
   * before its own keys, default `'visual.'` (OpenAI) or `''` (Hugging Face), as in the loaders.
   */
  prefix?: string;
  /** Stored float type. Default `'F32'`; `'F16'` halves the size (values rounded to half precision). */
  dtype?: ClipSaveDtype;
}

/** Tensors and metadata ready for `writeSafetensors(file.tensors, file.metadata)`. */
export interface ClipWeightsFile {
  tensors: Record<string, SafetensorsInput>;
  /** `config` (OpenAI-style JSON, read back for the head counts) and `naming`. */
  metadata: Record<string, string>;
}

/** A whole CLIP's weights in OpenAI or Hugging Face naming. */
export function clipWeightsToSafetensors(
  model: ClipModel,
  options: SaveClipWeightsOptions = {},
): ClipWeightsFile {
  const naming = clipWeightNaming(options.naming ?? 'openai');
  const roots = naming.modelRoots(options.prefix ?? '');
  const tensors = writeStoredParameters(
    clipParameterSlots(model.config),
    clipParameterEntries(model.parameters),
    naming,
    roots,
    options.dtype ?? 'F32',
  );
  const config = JSON.stringify(openAiArgumentsFromClipConfig(model.config));
  return { tensors, metadata: { config, naming: naming.name } };
}

/** The image tower's weights alone (loadable with `loadClipVisionWeights`). */
export function clipVisionWeightsToSafetensors(
  tower: ClipVisionTransformer,
  options: SaveClipWeightsOptions = {},
): ClipWeightsFile {
  const naming = clipWeightNaming(options.naming ?? 'openai');
  const root = options.prefix ?? naming.defaultVisionRoot;
  const roots: KeyRoots = { vision: root, text: root };
  const tensors = writeStoredParameters(
    visionParameterSlots(tower.config),
    visionParameterEntries(tower.parameters),
    naming,
    roots,
    options.dtype ?? 'F32',
  );
  const { imageSize, patchSize, width, layers, heads, embedDim } = tower.config;
  const config = JSON.stringify({
    embed_dim: embedDim,
    image_resolution: imageSize,
    vision_layers: layers,
    vision_width: width,
    vision_heads: heads,
    vision_patch_size: patchSize,
  });
  return { tensors, metadata: { config, naming: naming.name } };
}

/** The text tower's weights alone (loadable with `loadClipTextWeights`). */
export function clipTextWeightsToSafetensors(
  tower: ClipTextTransformer,
  options: SaveClipWeightsOptions = {},
): ClipWeightsFile {
  const naming = clipWeightNaming(options.naming ?? 'openai');
  const roots = naming.modelRoots(options.prefix ?? '');
  const tensors = writeStoredParameters(
    textParameterSlots(tower.config),
    textParameterEntries(tower.parameters),
    naming,
    roots,
    options.dtype ?? 'F32',
  );
  const { contextLength, vocabSize, width, layers, heads, embedDim } = tower.config;
  const config = JSON.stringify({
    embed_dim: embedDim,
    context_length: contextLength,
    vocab_size: vocabSize,
    transformer_width: width,
    transformer_heads: heads,
    transformer_layers: layers,
  });
  return { tensors, metadata: { config, naming: naming.name } };
}
