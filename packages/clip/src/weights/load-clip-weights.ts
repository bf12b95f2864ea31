import type * as tf from '@tensorflow/tfjs';
import {
  type ClipConfig,
  type ClipTextConfig,
  type ClipVisionConfig,
  validateClipConfig,
  validateClipTextConfig,
  validateClipVisionConfig,
} from '../model/clip-config';
import { ClipModel } from '../model/clip-model';
import { assembleClipParameters, clipParameterSlots } from '../model/clip-parameters';
import type { ParameterSlot } from '../model/parameter-layout';
import { assembleTextParameters, textParameterSlots } from '../model/text-parameters';
import { ClipTextTransformer } from '../model/text-transformer';
import { assembleVisionParameters, visionParameterSlots } from '../model/vision-parameters';
import { ClipVisionTransformer } from '../model/vision-transformer';
import type { ClipWeightNaming, ClipWeightNamingName, ClipWeightPart, KeyRoots } from './clip-weight-naming';
import { clipWeightNaming, detectClipWeightNaming } from './clip-weight-namings';
import { type ClipHeadsOptions, inferTextConfig, inferVisionConfig } from './infer-clip-config';
import { checkStoredTensors, expectedStoredTensors, readStoredParameters } from './read-stored-parameters';
import { type ClipTensorSource, type ClipWeightsInput, toTensorSource } from './tensor-source';

/** Options shared by the loaders. */
export interface LoadClipWeightsBaseOptions extends ClipHeadsOptions {
  /** Key convention of the file. Default: detected from the keys (`openai` or `huggingface`). */
  naming?: ClipWeightNamingName;
}

/** Options of {@link loadClipWeights}. */
export interface LoadClipWeightsOptions extends LoadClipWeightsBaseOptions {
  /** Text before every key of the model in the file (e.g. `'clip.'`). Default `''`. */
  prefix?: string;
  /** The config; default inferred from the shapes (heads: see {@link ClipHeadsOptions}). Checked against the file. */
  config?: ClipConfig;
}

/** Options of {@link loadClipVisionWeights}. */
export interface LoadClipVisionWeightsOptions extends LoadClipWeightsBaseOptions {
  /**
   * Text before the image tower's own keys. OpenAI naming: default `'visual.'` (a whole CLIP); a bare
   * `VisionTransformer` state_dict uses `''`, RATLIP's generator checkpoint `'mapping.CLIP_ViT.'`.
   * Hugging Face naming: text before `vision_model.*`/`visual_projection.weight`, default `''`.
   */
  prefix?: string;
  /** The config; default inferred from the shapes. Checked against the file. */
  config?: ClipVisionConfig;
}

/** Options of {@link loadClipTextWeights}. */
export interface LoadClipTextWeightsOptions extends LoadClipWeightsBaseOptions {
  /** Text before the text tower's keys. Default `''`. */
  prefix?: string;
  /** The config; default inferred from the shapes. Checked against the file. */
  config?: ClipTextConfig;
}

/** What a loader returns. */
export interface LoadedClipWeights<Model, Config> {
  /** The model, owning its tensors (dispose it when done). */
  model: Model;
  config: Config;
  /** The naming the file used. */
  naming: ClipWeightNamingName;
}

interface Prepared {
  source: ClipTensorSource;
  naming: ClipWeightNaming;
}

function prepare(input: ClipWeightsInput, options: LoadClipWeightsBaseOptions): Prepared {
  const source = toTensorSource(input);
  const naming = options.naming
    ? clipWeightNaming(options.naming)
    : detectClipWeightNaming(source.names(), source.source);
  return { source, naming };
}

function readChecked(
  { source, naming }: Prepared,
  slots: readonly ParameterSlot[],
  part: ClipWeightPart,
  roots: KeyRoots,
): Map<string, tf.Tensor> {
  const expected = expectedStoredTensors(slots, naming, roots);
  checkStoredTensors(source, expected, naming, part, roots);
  return readStoredParameters(source, slots, expected);
}

function build<Model>(
  tensors: Map<string, tf.Tensor>,
  construct: (get: (key: string) => tf.Tensor) => Model,
): Model {
  try {
    return construct((key) => tensors.get(key)!);
  } catch (error) {
    for (const tensor of tensors.values()) tensor.dispose();
    throw error;
  }
}

/**
 * The config of the whole CLIP stored in a file, read from the tensor shapes (heads: see
 * {@link ClipHeadsOptions}); nothing is loaded.
 */
export function inferClipConfig(input: ClipWeightsInput, options: LoadClipWeightsOptions = {}): ClipConfig {
  const { source, naming } = prepare(input, options);
  const roots = naming.modelRoots(options.prefix ?? '');
  return validateClipConfig(
    {
      vision: inferVisionConfig(source, naming, roots, options),
      text: inferTextConfig(source, naming, roots, options),
    },
    `${source.source}: CLIP config`,
  );
}

/**
 * Loads a whole CLIP from safetensors (or any {@link ClipTensorSource}) with OpenAI or Hugging Face
 * `CLIPModel` names. The config is inferred from the shapes; q/k/v are fused as needed; F16/BF16 are
 * upcast. A missing, extra or misshapen tensor throws an Error naming it.
 */
export function loadClipWeights(
  input: ClipWeightsInput,
  options: LoadClipWeightsOptions = {},
): LoadedClipWeights<ClipModel, ClipConfig> {
  const prepared = prepare(input, options);
  const roots = prepared.naming.modelRoots(options.prefix ?? '');
  const config = options.config
    ? validateClipConfig(options.config, `${prepared.source.source}: CLIP config`)
    : inferClipConfig(input, options);
  const tensors = readChecked(prepared, clipParameterSlots(config), 'all', roots);
  const model = build(tensors, (get) => new ClipModel(config, assembleClipParameters(config, get)));
  return { model, config, naming: prepared.naming.name };
}

/**
 * Loads only the image tower (RATLIP's mapper and discriminator encoder): from a whole CLIP file (the
 * text tower is ignored) or a bare `VisionTransformer` state_dict under `prefix`.
 */
export function loadClipVisionWeights(
  input: ClipWeightsInput,
  options: LoadClipVisionWeightsOptions = {},
): LoadedClipWeights<ClipVisionTransformer, ClipVisionConfig> {
  const prepared = prepare(input, options);
  const root = options.prefix ?? prepared.naming.defaultVisionRoot;
  const roots: KeyRoots = { vision: root, text: root };
  const config = validateClipVisionConfig(
    options.config ?? inferVisionConfig(prepared.source, prepared.naming, roots, options),
    `${prepared.source.source}: CLIP vision config`,
  );
  const tensors = readChecked(prepared, visionParameterSlots(config), 'vision', roots);
  const model = build(
    tensors,
    (get) => new ClipVisionTransformer(config, assembleVisionParameters(config, get)),
  );
  return { model, config, naming: prepared.naming.name };
}

/** Loads only the text tower (RATLIP's sentence encoder); the image tower in the file is ignored. */
export function loadClipTextWeights(
  input: ClipWeightsInput,
  options: LoadClipTextWeightsOptions = {},
): LoadedClipWeights<ClipTextTransformer, ClipTextConfig> {
  const prepared = prepare(input, options);
  const roots = prepared.naming.modelRoots(options.prefix ?? '');
  const config = validateClipTextConfig(
    options.config ?? inferTextConfig(prepared.source, prepared.naming, roots, options),
    `${prepared.source.source}: CLIP text config`,
  );
  const tensors = readChecked(prepared, textParameterSlots(config), 'text', roots);
  const model = build(tensors, (get) => new ClipTextTransformer(config, assembleTextParameters(config, get)));
  return { model, config, naming: prepared.naming.name };
}
