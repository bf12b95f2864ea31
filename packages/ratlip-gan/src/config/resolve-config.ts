import {
  type RatlipConfig,
  type RatlipConfigInput,
  type RatlipConfigOverrides,
  type ResolvedRatlipConfig,
  ratlipConfigSchema,
} from './config-schema';
import { generatorBlockChannels, generatorBlockSizes, netCKernelSizes } from './generator-layout';
import { ratlipPreset } from './presets';

/** The official generator output side (the last G-block is hard-coded to 224 px). */
export const OFFICIAL_OUTPUT_SIZE = 224;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `override` into `base`: plain objects recursively, everything else (arrays included)
 * replaced; `undefined` leaves the base value. Neither argument is modified.
 */
export function deepMerge<T>(base: T, override: unknown): T {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) out[key] = deepMerge(out[key], value);
  }
  return out as T;
}

function fail(source: string, field: string, message: string): never {
  throw new Error(`${source}: '${field}' ${message}`);
}

function parse(input: unknown, source: string): RatlipConfig {
  const result = ratlipConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `'${issue.path.join('.') || '(root)'}' ${issue.message}`)
      .join('; ');
    throw new Error(`${source}: invalid RATLIP config: ${issues}`);
  }
  return result.data;
}

function checkBlocks(
  source: string,
  field: string,
  blocks: readonly number[],
  layers: number,
  owner = 'the CLIP image tower',
): void {
  const seen = new Set<number>();
  for (const block of blocks) {
    if (block >= layers) fail(source, field, `lists block ${block}, but ${owner} has ${layers} blocks`);
    if (seen.has(block)) fail(source, field, `lists block ${block} twice`);
    seen.add(block);
  }
}

function derive(config: RatlipConfig, source: string): ResolvedRatlipConfig {
  const { vision, text } = config.clip;
  if (vision.imageSize % vision.patchSize !== 0) {
    fail(
      source,
      'clip.vision.imageSize',
      `(${vision.imageSize}) must be a multiple of patchSize (${vision.patchSize})`,
    );
  }
  if (vision.embedDim !== text.embedDim) {
    fail(
      source,
      'clip.text.embedDim',
      `(${text.embedDim}) must equal clip.vision.embedDim (${vision.embedDim})`,
    );
  }
  const grid = vision.imageSize / vision.patchSize;
  if (config.clip.tapBlocks.length === 0) fail(source, 'clip.tapBlocks', 'must list at least one block');
  checkBlocks(source, 'clip.tapBlocks', config.clip.tapBlocks, vision.layers);
  checkBlocks(source, 'clip.promptBlocks', config.clip.promptBlocks, vision.layers);

  const generator = config.generator;
  if (generator.codeSize !== null && generator.codeSize !== grid) {
    fail(source, 'generator.codeSize', `(${generator.codeSize}) must equal the CLIP token grid (${grid})`);
  }
  const blockChannels = generator.blockChannels ?? generatorBlockChannels(generator.ngf, config.imageSize);
  if (blockChannels.length === 0) fail(source, 'generator.blockChannels', 'must list at least one G-block');
  blockChannels.forEach(([, out], i) => {
    const next = blockChannels[i + 1];
    if (next && next[0] !== out) {
      fail(
        source,
        'generator.blockChannels',
        `block ${i} outputs ${out} channels but block ${i + 1} takes ${next[0]}`,
      );
    }
  });
  const outputSize = generator.outputSize ?? (config.clean ? config.imageSize : OFFICIAL_OUTPUT_SIZE);
  const blockSizes = generator.blockSizes ?? generatorBlockSizes(blockChannels.length, outputSize);
  if (blockSizes.length !== blockChannels.length) {
    fail(
      source,
      'generator.blockSizes',
      `has ${blockSizes.length} sizes for ${blockChannels.length} G-blocks`,
    );
  }
  if (blockSizes[blockSizes.length - 1] !== outputSize) {
    fail(source, 'generator.blockSizes', `must end with generator.outputSize (${outputSize})`);
  }
  checkBlocks(
    source,
    'generator.wordAttention.blocks',
    generator.wordAttention.blocks,
    blockChannels.length,
    'the generator',
  );
  checkBlocks(
    source,
    'generator.phraseAttention.blocks',
    generator.phraseAttention.blocks,
    blockChannels.length,
    'the generator',
  );
  const { contextLayers, contextHeads } = generator.wordAttention;
  if (contextLayers > 0 && generator.wordAttention.blocks.length === 0) {
    fail(
      source,
      'generator.wordAttention.contextLayers',
      'needs word attention (generator.wordAttention.blocks)',
    );
  }
  if (generator.wordAttention.placeModulation && generator.wordAttention.blocks.length === 0) {
    fail(
      source,
      'generator.wordAttention.placeModulation',
      'needs word attention (generator.wordAttention.blocks)',
    );
  }
  if (contextLayers > 0 && config.clip.text.width % contextHeads !== 0) {
    fail(
      source,
      'generator.wordAttention.contextHeads',
      `(${contextHeads}) must divide the CLIP text width (${config.clip.text.width})`,
    );
  }
  if (config.architecture === 'ratlip') {
    const attended = [generator.codeChannels, ...blockChannels.map(([, out]) => out)];
    for (const channels of attended) {
      if (channels % 16 !== 0) {
        fail(
          source,
          'generator',
          `channel count ${channels} goes through shuffle attention and must be a multiple of 16 (codeChannels, G-block outputs)`,
        );
      }
    }
  }
  const netCKernels = config.discriminator.netCKernels ?? netCKernelSizes(grid);
  if (netCKernels[0] + netCKernels[1] - 1 !== grid) {
    fail(
      source,
      'discriminator.netCKernels',
      `[${netCKernels.join(', ')}] must satisfy k1 + k2 - 1 = grid (${grid})`,
    );
  }
  return {
    ...config,
    clip: { ...config.clip, inputQuirk: config.clip.inputQuirk ?? (config.clean ? 'standard' : 'ratlip') },
    generator: { ...generator, codeSize: grid, blockChannels, blockSizes, outputSize },
    discriminator: { ...config.discriminator, netCKernels },
  };
}

/**
 * The validated, resolved config: the preset's config (when `preset` is given) with `overrides`
 * deep-merged into it, checked by the schema and for consistency, and every derived field filled in.
 * Write it into every run folder; resolving it again gives the same config.
 *
 * @param preset a preset name (see `RATLIP_PRESETS`), or undefined to start from `overrides` alone
 *   (which must then hold at least `clip`).
 * @param overrides fields to change, e.g. `{ clean: true, generator: { rat: { mode: 'legacy' } } }`.
 * @throws Error naming the field and what was expected.
 *
 * @example
 * ```ts
 * const config = resolveConfig('ratlip-birds-256', { training: { batchSize: 16 } });
 * config.generator.blockSizes; // [8, 16, 32, 64, 128, 224]
 * ```
 */
export function resolveConfig(
  preset?: string,
  overrides: RatlipConfigOverrides | RatlipConfigInput = {},
): ResolvedRatlipConfig {
  const source = preset === undefined ? 'RATLIP config' : `RATLIP config (preset '${preset}')`;
  const base: unknown = preset === undefined ? {} : ratlipPreset(preset).config;
  const merged = deepMerge(base, overrides);
  if (preset !== undefined && !isPlainObject(overrides)) fail(source, '(overrides)', 'must be an object');
  return derive(parse(merged, source), source);
}

/**
 * Validates and resolves a config read from a file (e.g. a run folder's `config.json`).
 * @param source names the file in error messages.
 */
export function parseRatlipConfig(json: unknown, source = 'config.json'): ResolvedRatlipConfig {
  return derive(parse(json, source), source);
}
