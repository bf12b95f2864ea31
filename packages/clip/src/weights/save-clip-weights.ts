import type { SafetensorsInput } from '@ratlip/runtime';
import type { ClipTextConfig } from '../model/clip-config';
import type { ClipModel } from '../model/clip-model';
import { clipParameterEntries, clipParameterSlots } from '../model/clip-parameters';
import { openAiArgumentsFromClipConfig } from '../model/reference-config';
import { textParameterEntries, textParameterSlots } from '../model/text-parameters';
import type { ClipTextTransformer } from '../model/text-transformer';
import { visionParameterEntries, visionParameterSlots } from '../model/vision-parameters';
import type { ClipVisionTransformer } from '../model/vision-transformer';
import type { ClipWeightNaming, ClipWeightNamingName, KeyRoots } from './clip-weight-naming';
import { clipWeightNaming } from './clip-weight-namings';
import {
  COMPACT_TOKEN_EMBEDDING_METADATA,
  compactTokenEmbeddingMetadata,
  gatherEmbeddingRows,
  keptTokenIds,
} from './compact-token-embedding';
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
  /**
   * Whole model and text tower only: keep just these rows of the token embedding (ids in any order,
   * repeats allowed, each in `[0, vocabSize)`), e.g. every id a dataset's captions tokenize to plus the
   * start and end tokens. A CLIP trained on one dataset uses a handful of the 49,408 ids and the
   * embedding dominates the file. The kept ids go to `__metadata__.compact_token_embedding`; the loaders
   * expand the file back to the full vocabulary with zero rows for the other ids, so captions made of
   * kept ids embed exactly as before. Default: the whole embedding.
   */
  tokenIds?: Iterable<number>;
}

/** Canonical key of the token embedding `[vocabSize, width]`. */
const TOKEN_EMBEDDING_KEY = 'token_embedding.weight';

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
  return compactIfAsked(
    { tensors, metadata: { config, naming: naming.name } },
    naming,
    roots,
    model.config.text,
    options,
  );
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
  return compactIfAsked(
    { tensors, metadata: { config, naming: naming.name } },
    naming,
    roots,
    tower.config,
    options,
  );
}

/** The file with only `options.tokenIds` rows of its token embedding (unchanged without them). */
function compactIfAsked(
  file: ClipWeightsFile,
  naming: ClipWeightNaming,
  roots: KeyRoots,
  text: Pick<ClipTextConfig, 'vocabSize' | 'width'>,
  options: SaveClipWeightsOptions,
): ClipWeightsFile {
  if (options.tokenIds === undefined) return file;
  const ids = keptTokenIds(options.tokenIds, text.vocabSize, 'SaveClipWeightsOptions.tokenIds');
  const key = naming.storedFor(TOKEN_EMBEDDING_KEY, roots)[0]!.key;
  const stored = file.tensors[key]!;
  const values =
    stored.data instanceof Float32Array ? stored.data : Float32Array.from(stored.data as ArrayLike<number>);
  const rows = gatherEmbeddingRows(values, text.width, ids);
  return {
    tensors: { ...file.tensors, [key]: { dtype: stored.dtype, shape: [ids.length, text.width], data: rows } },
    metadata: {
      ...file.metadata,
      [COMPACT_TOKEN_EMBEDDING_METADATA]: compactTokenEmbeddingMetadata({
        tensor: key,
        vocabSize: text.vocabSize,
        ids,
      }),
    },
  };
}
