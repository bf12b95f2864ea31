/**
 * Typed configuration of a CLIP model (OpenAI's ViT variant): a vision transformer and a text
 * transformer that both project into a shared embedding space.
 */

/** The image tower. Images are `[batch, imageSize, imageSize, 3]`, cut into `grid x grid` patches. */
export interface ClipVisionConfig {
  /** Input side length in pixels (OpenAI `image_resolution`; 224 for ViT-B/32). */
  imageSize: number;
  /** Patch side length in pixels (OpenAI `vision_patch_size`); `imageSize` must be a multiple of it. */
  patchSize: number;
  /** Token width (OpenAI `vision_width`; 768 for ViT-B/32). */
  width: number;
  /** Number of residual attention blocks (OpenAI `vision_layers`). */
  layers: number;
  /** Attention heads per block (OpenAI `vision_heads`); must divide `width`. */
  heads: number;
  /** Size of the projected image embedding (OpenAI `embed_dim`). */
  embedDim: number;
}

/** The text tower. Token ids are `[batch, contextLength]` int32. */
export interface ClipTextConfig {
  /** Tokens per sequence (OpenAI `context_length`; 77). */
  contextLength: number;
  /** Token vocabulary size (OpenAI `vocab_size`; 49408). The end-of-text token must have the highest id. */
  vocabSize: number;
  /** Token width (OpenAI `transformer_width`). */
  width: number;
  /** Number of residual attention blocks (OpenAI `transformer_layers`). */
  layers: number;
  /** Attention heads per block (OpenAI `transformer_heads`); must divide `width`. */
  heads: number;
  /** Size of the projected text embedding (OpenAI `embed_dim`). */
  embedDim: number;
}

/** A whole CLIP: both towers must share `embedDim`. */
export interface ClipConfig {
  vision: ClipVisionConfig;
  text: ClipTextConfig;
}

/** Epsilon of every LayerNorm in CLIP (PyTorch's default). */
export const CLIP_LAYER_NORM_EPSILON = 1e-5;

/** Hidden width of the MLP of every residual block, as a multiple of the token width (CLIP uses 4). */
export const CLIP_MLP_RATIO = 4;

/** Number of patches along one side of the image: `imageSize / patchSize`. */
export function visionGridSize(config: ClipVisionConfig): number {
  return config.imageSize / config.patchSize;
}

/** Number of tokens the vision transformer runs on: one class token plus `grid * grid` patch tokens. */
export function visionTokenCount(config: ClipVisionConfig): number {
  const grid = visionGridSize(config);
  return grid * grid + 1;
}

function requirePositiveInteger(where: string, field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${where}: '${field}' must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

function requireHeadsDivideWidth(where: string, width: number, heads: number): void {
  if (width % heads !== 0) {
    throw new Error(`${where}: 'heads' (${heads}) must divide 'width' (${width})`);
  }
}

/**
 * Checks a vision config and returns it. Throws an Error naming the field when a value is missing, not a
 * positive integer, or inconsistent (`imageSize` not a multiple of `patchSize`, `heads` not dividing `width`).
 * @param where names the config in error messages.
 */
export function validateClipVisionConfig(
  config: ClipVisionConfig,
  where = 'ClipVisionConfig',
): ClipVisionConfig {
  for (const field of ['imageSize', 'patchSize', 'width', 'layers', 'heads', 'embedDim'] as const) {
    requirePositiveInteger(where, field, config[field]);
  }
  if (config.imageSize % config.patchSize !== 0) {
    throw new Error(
      `${where}: 'imageSize' (${config.imageSize}) must be a multiple of 'patchSize' (${config.patchSize})`,
    );
  }
  requireHeadsDivideWidth(where, config.width, config.heads);
  return config;
}

/**
 * Checks a text config and returns it. Throws an Error naming the field when a value is missing, not a
 * positive integer, or `heads` does not divide `width`.
 * @param where names the config in error messages.
 */
export function validateClipTextConfig(config: ClipTextConfig, where = 'ClipTextConfig'): ClipTextConfig {
  for (const field of ['contextLength', 'vocabSize', 'width', 'layers', 'heads', 'embedDim'] as const) {
    requirePositiveInteger(where, field, config[field]);
  }
  requireHeadsDivideWidth(where, config.width, config.heads);
  return config;
}

/**
 * Checks a whole CLIP config (both towers, and that they share `embedDim`) and returns it.
 * @param where names the config in error messages.
 */
export function validateClipConfig(config: ClipConfig, where = 'ClipConfig'): ClipConfig {
  if (config === null || typeof config !== 'object') throw new Error(`${where}: expected an object`);
  if (config.vision === null || typeof config.vision !== 'object') {
    throw new Error(`${where}: 'vision' must be a ClipVisionConfig object`);
  }
  if (config.text === null || typeof config.text !== 'object') {
    throw new Error(`${where}: 'text' must be a ClipTextConfig object`);
  }
  validateClipVisionConfig(config.vision, `${where}.vision`);
  validateClipTextConfig(config.text, `${where}.text`);
  if (config.vision.embedDim !== config.text.embedDim) {
    throw new Error(
      `${where}: 'vision.embedDim' (${config.vision.embedDim}) and 'text.embedDim' (${config.text.embedDim}) must be equal`,
    );
  }
  return config;
}
