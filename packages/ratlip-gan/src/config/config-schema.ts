import { z } from 'zod';

/**
 * THE configuration of a RATLIP/GALIP model and its training: one zod schema, every field documented
 * with its default and unit. Fields whose default depends on other fields accept `null` ("derive it");
 * {@link resolveConfig} replaces every `null` by the derived value, so a resolved config (the one written
 * into every run folder) has no `null` left and resolves to itself.
 */

const positiveInt = () => z.number().int().positive();
const blockList = () => z.array(z.number().int().nonnegative());

/** CLIP image tower sizes (OpenAI `VisionTransformer` arguments). */
export const clipVisionSchema = z
  .object({
    imageSize: positiveInt().describe('CLIP input side in px (ViT-B/32: 224).'),
    patchSize: positiveInt().describe(
      'Patch side in px; the token grid is imageSize / patchSize (ViT-B/32: 32 -> 7).',
    ),
    width: positiveInt().describe('Token width in channels (ViT-B/32: 768); also the mapper and NetD width.'),
    layers: positiveInt().describe('Residual attention blocks (ViT-B/32: 12).'),
    heads: positiveInt().describe('Attention heads per block (ViT-B/32: 12).'),
    embedDim: positiveInt().describe('Projected image embedding size (ViT-B/32: 512).'),
  })
  .strict();

/** CLIP text tower sizes (OpenAI `CLIP` text arguments). */
export const clipTextSchema = z
  .object({
    contextLength: positiveInt().describe('Tokens per caption (77).'),
    vocabSize: positiveInt().describe('Token vocabulary size (49408).'),
    width: positiveInt().describe('Token width in channels (ViT-B/32: 512).'),
    layers: positiveInt().describe('Residual attention blocks (ViT-B/32: 12).'),
    heads: positiveInt().describe('Attention heads per block (ViT-B/32: 8).'),
    embedDim: positiveInt().describe(
      'Sentence embedding size in values (ViT-B/32: 512); the generator conditions on it.',
    ),
  })
  .strict();

/** The frozen CLIP and how RATLIP reads it. */
export const clipSectionSchema = z
  .object({
    model: z
      .string()
      .describe("Name of the CLIP configuration, for records only (e.g. 'ViT-B/32', 'tiny', 'small')."),
    vision: clipVisionSchema,
    text: clipTextSchema,
    inputQuirk: z
      .enum(['ratlip', 'standard'])
      .nullable()
      .default(null)
      .describe(
        "How images in [-1, 1] reach CLIP: 'ratlip' = the official double shift (0.25x + 0.75), 'standard' = 0.5x + 0.5. " +
          "Default null: 'standard' when clean, else 'ratlip'.",
      ),
    tapBlocks: blockList()
      .default([1, 4, 8])
      .describe(
        'CLIP image-tower blocks (0-based) whose tokens the discriminator reads. Default [1, 4, 8]. ' +
          'NetD has one D-block per tap after the first.',
      ),
    promptBlocks: blockList()
      .default([1, 2, 3, 4, 5, 6, 7, 8])
      .describe('Mapper blocks (0-based) that receive one prompt token each. Default [1..8].'),
  })
  .strict();

/** RAT (recurrent affine transformation) in the adapter's M-blocks. */
export const ratSchema = z
  .object({
    mode: z
      .enum(['paper', 'legacy'])
      .default('paper')
      .describe(
        "'paper' (default): one LSTM cell shared by every RAT affine, stepped per layer, per-sample state. " +
          "'legacy': the official code (one LSTM per affine, the batch axis as time, gamma/beta broadcast): " +
          'order- and batch-size-dependent; set automatically when importing official checkpoints.',
      ),
    hiddenSize: positiveInt().default(64).describe('LSTM hidden size in values. Default 64.'),
    initialState: z
      .enum(['zeros', 'noise'])
      .default('zeros')
      .describe('Paper mode: state at each generator call, zeros (default) or Linear(noise) as RAT-GAN.'),
  })
  .strict();

/** Word attention after G-blocks (not in RATLIP; see `@ratlip/rat-blocks` `wordAttentionForward`). */
export const wordAttentionSchema = z
  .object({
    blocks: blockList()
      .default([])
      .describe(
        "G-blocks (0-based) whose output attends over the caption's word features (CLIP text tokens after ln_final). " +
          'Default []: none, the official generator.',
      ),
    keyDim: positiveInt()
      .default(32)
      .describe('Width of the attention queries and keys in values. Default 32.'),
    valueGain: z
      .number()
      .positive()
      .default(1)
      .describe(
        'Constant factor on the attended values; with Adam a learning-rate multiplier for the value projection, ' +
          'which starts at zero. Default 1.',
      ),
    scoreGain: z
      .number()
      .positive()
      .default(1)
      .describe(
        'Constant factor on the attention scores; with Adam a learning-rate multiplier for where the attention looks ' +
          '(at the initial scale the scores are about 0.2 and the attention nearly uniform). Default 1.',
      ),
    positionQuery: z
      .boolean()
      .default(false)
      .describe(
        "Queries also see each position's coordinates (a learned projection of x, y, x², y²), so a place can look " +
          'for the words that name it. Default false.',
      ),
    contextLayers: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe(
        'Bidirectional self-attention layers over the word features before the word attention reads them ' +
          "(`@ratlip/rat-blocks` `wordContextForward`, with this block's valueGain and scoreGain), so each word also " +
          "carries the words after it (a causal encoder's 'star' cannot know its star's place). Default 0: none.",
      ),
    contextHeads: positiveInt()
      .default(4)
      .describe('Attention heads of each word-context layer; must divide the CLIP text width. Default 4.'),
    placeModulation: z
      .boolean()
      .default(false)
      .describe(
        "What the word attention after a G-block reads at each place also modulates the next G-block's four affines " +
          "there (`@ratlip/rat-blocks` `placeModulationForward`), so each object's place gets its own scale and shift, " +
          "not only the sentence's. Default false.",
      ),
    placeGain: z
      .number()
      .positive()
      .default(1)
      .describe(
        'Constant factor on those scales and shifts; with Adam a learning-rate multiplier for them. Default 1.',
      ),
  })
  .strict();

/** Phrase attention of G-blocks' affines (not in RATLIP; see `@ratlip/rat-blocks` `phraseAttentionWeights`). */
export const phraseAttentionSchema = z
  .object({
    blocks: blockList()
      .default([])
      .describe(
        "G-blocks (0-based) whose four affines take, at each place, the sentence embedding of the caption's phrase " +
          'about that place: each phrase is encoded on its own, and a learned attention of each place over the ' +
          'phrases mixes their scales and shifts. Default []: none, every affine reads the whole sentence.',
      ),
    separator: z
      .string()
      .min(1)
      .default(' and ')
      .describe(
        "What splits a caption into phrases (case-insensitive; ' and ' splits 'a red star at the top and a blue " +
          "circle on the left' in two). A caption without it is one phrase, modulated as by its sentence. Default ' and '.",
      ),
    keyDim: positiveInt()
      .default(32)
      .describe('Width of the attention queries and keys in values. Default 32.'),
    scoreGain: z
      .number()
      .positive()
      .default(1)
      .describe(
        'Constant factor on the attention scores; with Adam a learning-rate multiplier for where each place looks ' +
          '(the queries start at zero, each place weighing its phrases alike). Default 1.',
      ),
  })
  .strict();

/** The generator (official NetG). */
export const generatorSchema = z
  .object({
    ngf: positiveInt()
      .default(64)
      .describe('Base channel count (official ngf). Default 64; a multiple of 16 with shuffle attention.'),
    noiseDim: positiveInt().default(100).describe('Noise size z in values. Default 100.'),
    codeChannels: positiveInt().default(64).describe('Channels of the projected noise code. Default 64.'),
    codeSize: positiveInt()
      .nullable()
      .default(null)
      .describe(
        'Side of the noise code in cells; must equal the CLIP token grid. Default null: the grid (7).',
      ),
    midChannels: positiveInt().default(32).describe('Middle channels of the adapter M-blocks. Default 32.'),
    adapterBlocks: positiveInt().default(4).describe('Number of adapter M-blocks. Default 4.'),
    adapterKernel: positiveInt().default(3).describe('Kernel side of the M-block convs in px. Default 3.'),
    fuseKernel: positiveInt()
      .default(5)
      .describe('Kernel side of conv_fuse and the mapping conv in px. Default 5.'),
    mapperScale: z
      .number()
      .default(0.1)
      .describe('Weight of the mapper output M in conv(F + scale M). Default 0.1.'),
    rat: ratSchema.prefault({}),
    wordAttention: wordAttentionSchema.prefault({}),
    phraseAttention: phraseAttentionSchema.prefault({}),
    blockChannels: z
      .array(z.tuple([positiveInt(), positiveInt()]))
      .nullable()
      .default(null)
      .describe('G-block (in, out) channels. Default null: official get_G_in_out_chs(ngf, imageSize).'),
    blockSizes: z
      .array(positiveInt())
      .nullable()
      .default(null)
      .describe(
        'Output side of each G-block nearest upsample in px. Default null: 8, 16, ... doubling, the last = outputSize.',
      ),
    outputSize: positiveInt()
      .nullable()
      .default(null)
      .describe(
        'Generated image side in px. Default null: imageSize when clean, else the official hard-coded 224.',
      ),
  })
  .strict();

/** The discriminator (official NetD + NetC). */
export const discriminatorSchema = z
  .object({
    outChannels: positiveInt().default(512).describe('Output channels of the main D-block. Default 512.'),
    netCHiddenChannels: positiveInt()
      .default(128)
      .describe('Channels of NetC between its two convs. Default 128.'),
    netCKernels: z
      .tuple([positiveInt(), positiveInt()])
      .nullable()
      .default(null)
      .describe(
        'NetC kernel sides in cells (valid convs, k1 + k2 - 1 = grid). Default null: [ceil((grid+1)/2), rest] (7 -> [4, 4]).',
      ),
  })
  .strict();

/** Exponential moving average of the generator weights for sampling. */
export const emaSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe('Keep an EMA copy of G for sampling. Default false (faithful presets: off).'),
    decay: z.number().min(0).max(1).default(0.999).describe('EMA decay per step. Default 0.999.'),
  })
  .strict();

/** Losses, optimisers and bookkeeping of training. */
export const trainingSchema = z
  .object({
    batchSize: positiveInt()
      .default(64)
      .describe(
        'Images per step. Default 64 (the official per-GPU batch; the paper ran 8 GPUs, global 512).',
      ),
    learningRateG: z.number().positive().default(1e-4).describe('Adam learning rate of G. Default 1e-4.'),
    learningRateD: z.number().positive().default(4e-4).describe('Adam learning rate of D + C. Default 4e-4.'),
    beta1: z.number().min(0).max(1).default(0).describe('Adam beta1. Default 0.'),
    beta2: z.number().min(0).max(1).default(0.9).describe('Adam beta2. Default 0.9.'),
    epsilon: z.number().positive().default(1e-8).describe("Adam epsilon (PyTorch's). Default 1e-8."),
    maGpWeight: z.number().nonnegative().default(2).describe('MA-GP weight k. Default 2.'),
    maGpPower: z.number().positive().default(6).describe('MA-GP power p on the gradient norm. Default 6.'),
    clipLossWeight: z
      .number()
      .nonnegative()
      .default(4)
      .describe('Weight of the cosine(image embedding, sentence) term in the G loss. Default 4.'),
    ema: emaSchema.prefault({}),
    seed: z.number().int().default(0).describe('Seed of initialisation, noise and data order. Default 0.'),
    epochs: positiveInt().default(1501).describe('Epochs of a full run (official: 1501). Default 1501.'),
    checkpointEveryEpochs: positiveInt()
      .default(5)
      .describe('Epochs between checkpoints (birds: 20). Default 5.'),
    sampleEveryEpochs: positiveInt()
      .default(5)
      .describe('Epochs between fixed-noise sample grids. Default 5.'),
    evalEveryEpochs: positiveInt()
      .default(5)
      .describe('Epochs between FID/CLIP-score evaluations (birds: 20). Default 5.'),
  })
  .strict();

/** The whole model + training configuration. */
export const ratlipConfigSchema = z
  .object({
    name: z.string().default('custom').describe("The preset this config started from, or 'custom'."),
    architecture: z
      .enum(['ratlip', 'galip'])
      .default('ratlip')
      .describe(
        "'ratlip' (default): RAT affines in the adapter and Conv_shuffle (BatchNorm + shuffle attention) convs; " +
          "'galip': GALIP's plain DF affines and plain convs.",
      ),
    dataset: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "Dataset kind the preset is meant for ('birds', 'flowers', 'faces', 'shapes'); records only.",
      ),
    imageSize: positiveInt()
      .default(256)
      .describe(
        'Training image side in px (official imsize 256); also the G output side when clean. Default 256.',
      ),
    imageChannels: positiveInt().default(3).describe('Image channels. Default 3.'),
    clean: z
      .boolean()
      .default(false)
      .describe(
        'false (default, faithful): last G-block at 224 px and the ratlip CLIP input quirk; true: output exactly ' +
          'imageSize and the standard CLIP input mapping.',
      ),
    clip: clipSectionSchema,
    generator: generatorSchema.prefault({}),
    discriminator: discriminatorSchema.prefault({}),
    training: trainingSchema.prefault({}),
  })
  .strict();

/** A config as written by a user or a preset (defaults may be omitted, derived fields may be null). */
export type RatlipConfigInput = z.input<typeof ratlipConfigSchema>;

/** A parsed config (defaults applied; derived fields may still be null). */
export type RatlipConfig = z.output<typeof ratlipConfigSchema>;

type NonNullFields<T, K extends keyof T> = Omit<T, K> & { [P in K]: NonNullable<T[P]> };

/** The config after {@link resolveConfig}: every derived field is filled in. */
export type ResolvedRatlipConfig = Omit<RatlipConfig, 'clip' | 'generator' | 'discriminator'> & {
  clip: NonNullFields<RatlipConfig['clip'], 'inputQuirk'>;
  generator: NonNullFields<
    RatlipConfig['generator'],
    'codeSize' | 'blockChannels' | 'blockSizes' | 'outputSize'
  >;
  discriminator: NonNullFields<RatlipConfig['discriminator'], 'netCKernels'>;
};

/** A deep-partial override of a config, as {@link resolveConfig} takes it. */
export type RatlipConfigOverrides = DeepPartial<RatlipConfigInput>;

/** Every field optional, recursively (arrays and tuples are replaced whole). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
