import { type ClipConfig, validateClipConfig } from './clip-config';

/**
 * CLIP's configuration in the argument names of OpenAI's `CLIP(...)` constructor, as stored in the
 * `config` metadata of the shared fixtures and of files this package saves. OpenAI derives the vision
 * heads as `vision_width / 64`; `vision_heads` makes them explicit.
 */
export interface OpenAiClipArguments {
  embed_dim: number;
  image_resolution: number;
  vision_layers: number;
  vision_width: number;
  vision_heads?: number;
  vision_patch_size: number;
  context_length: number;
  vocab_size: number;
  transformer_width: number;
  transformer_heads: number;
  transformer_layers: number;
}

const REQUIRED_FIELDS = [
  'embed_dim',
  'image_resolution',
  'vision_layers',
  'vision_width',
  'vision_patch_size',
  'context_length',
  'vocab_size',
  'transformer_width',
  'transformer_heads',
  'transformer_layers',
] as const;

/**
 * Converts OpenAI-style arguments (an object or its JSON text) to a validated {@link ClipConfig}.
 * `vision_heads` defaults to `vision_width / 64` as in OpenAI's code.
 * @param where names the source in error messages.
 */
export function clipConfigFromOpenAiArguments(args: unknown, where = 'OpenAI CLIP arguments'): ClipConfig {
  const parsed: unknown = typeof args === 'string' ? parseJson(args, where) : args;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${where}: expected an object of OpenAI CLIP arguments`);
  }
  const record = parsed as Record<string, unknown>;
  const number = (field: string): number => {
    const value = record[field];
    if (typeof value !== 'number') {
      throw new Error(`${where}: '${field}' must be a number, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  for (const field of REQUIRED_FIELDS) number(field);
  const visionWidth = number('vision_width');
  const embedDim = number('embed_dim');
  const config: ClipConfig = {
    vision: {
      imageSize: number('image_resolution'),
      patchSize: number('vision_patch_size'),
      width: visionWidth,
      layers: number('vision_layers'),
      heads: record['vision_heads'] === undefined ? visionWidth / 64 : number('vision_heads'),
      embedDim,
    },
    text: {
      contextLength: number('context_length'),
      vocabSize: number('vocab_size'),
      width: number('transformer_width'),
      layers: number('transformer_layers'),
      heads: number('transformer_heads'),
      embedDim,
    },
  };
  return validateClipConfig(config, where);
}

/** The OpenAI-style arguments of a config (with explicit `vision_heads`). */
export function openAiArgumentsFromClipConfig(config: ClipConfig): OpenAiClipArguments {
  return {
    embed_dim: config.vision.embedDim,
    image_resolution: config.vision.imageSize,
    vision_layers: config.vision.layers,
    vision_width: config.vision.width,
    vision_heads: config.vision.heads,
    vision_patch_size: config.vision.patchSize,
    context_length: config.text.contextLength,
    vocab_size: config.text.vocabSize,
    transformer_width: config.text.width,
    transformer_heads: config.text.heads,
    transformer_layers: config.text.layers,
  };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
}
