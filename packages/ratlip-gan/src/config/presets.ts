import { type ClipPresetName, clipPreset, SHAPES_CLIP_CONFIG } from '@ratlip/clip';
import type { RatlipConfigInput } from './config-schema';

/** Names of the built-in presets. */
export type RatlipPresetName =
  | 'ratlip-birds-256'
  | 'ratlip-flowers-256'
  | 'ratlip-faces-256'
  | 'galip-birds-256'
  | 'galip-flowers-256'
  | 'galip-faces-256'
  | 'ratlip-shapes-32'
  | 'ratlip-shapes-32-words'
  | 'ratlip-shapes-32-context'
  | 'ratlip-shapes-32-places'
  | 'ratlip-shapes-32-phrases'
  | 'ratlip-shapes-64'
  | 'ratlip-tiny';

/** A preset: a config plus what it is for. */
export interface RatlipPreset {
  /** One line on what the preset is. */
  readonly description: string;
  /** The published numbers (or behaviour) the preset is set up to reproduce. */
  readonly reproduces: string;
  /** The config (unset fields take the schema defaults). */
  readonly config: RatlipConfigInput;
}

/** The config of `ratlip-shapes-32`, which `ratlip-shapes-32-words` extends. */
const SHAPES_32 = {
  name: 'ratlip-shapes-32',
  architecture: 'ratlip',
  dataset: 'shapes',
  imageSize: 32,
  clean: true,
  clip: {
    model: 'shapes',
    vision: { ...SHAPES_CLIP_CONFIG.vision },
    text: { ...SHAPES_CLIP_CONFIG.text },
    tapBlocks: [1, 2, 4],
    promptBlocks: [1, 2, 3, 4],
  },
  generator: { ngf: 16, noiseDim: 32, codeChannels: 32, midChannels: 16, rat: { hiddenSize: 16 } },
  discriminator: { outChannels: 64, netCHiddenChannels: 32 },
  training: {
    batchSize: 8,
    epochs: 100,
    checkpointEveryEpochs: 1,
    sampleEveryEpochs: 1,
    evalEveryEpochs: 1,
  },
} satisfies RatlipConfigInput;

function clipSection(model: ClipPresetName) {
  const { vision, text } = clipPreset(model);
  return { model, vision, text };
}

type Dataset = 'birds' | 'flowers' | 'faces';

/** The official 256 px setup: ngf 64, z 100, ViT-B/32, 224 px output, ratlip CLIP input quirk, batch 64. */
function official(architecture: 'ratlip' | 'galip', dataset: Dataset): RatlipConfigInput {
  // Birds checkpoints and evaluates every 20 epochs, the others every 5 (official train scripts).
  const every = dataset === 'birds' ? 20 : 5;
  return {
    name: `${architecture}-${dataset}-256`,
    architecture,
    dataset,
    imageSize: 256,
    clean: false,
    clip: clipSection('ViT-B/32'),
    generator: { ngf: 64, noiseDim: 100, rat: { mode: 'paper' } },
    training: { batchSize: 64, checkpointEveryEpochs: every, evalEveryEpochs: every, sampleEveryEpochs: 5 },
  };
}

const OFFICIAL_CAVEAT =
  'Faithful architecture and losses; the official run used 8 GPUs x 64 (global batch 512) in mixed precision, ' +
  'this preset trains one batch of 64 in fp32 and uses paper-mode RAT unless an official checkpoint is imported.';

/** The built-in presets. */
/**
 * Word attention of the Shapes presets that read words: after the 8 and 16 px G-blocks, keys of width 32,
 * gains that let it grow on a trained generator within a few thousand steps, queries that see their place.
 */
const SHAPES_WORD_ATTENTION = {
  blocks: [0, 1],
  keyDim: 32,
  valueGain: 20,
  scoreGain: 16,
  positionQuery: true,
};

export const RATLIP_PRESETS: Readonly<Record<RatlipPresetName, RatlipPreset>> = {
  'ratlip-birds-256': {
    description: 'RATLIP on CUB-200-2011 birds, official architecture (224 px output).',
    reproduces: `RATLIP README, CUB: FID 13.28, CLIP score 32.03. G 53,771,379 params (legacy RAT). ${OFFICIAL_CAVEAT}`,
    config: official('ratlip', 'birds'),
  },
  'ratlip-flowers-256': {
    description: 'RATLIP on Oxford-102 flowers, official architecture (224 px output).',
    reproduces: `RATLIP README, Oxford: CLIP score 31.94 (column labels swapped in a README commit; check the paper). ${OFFICIAL_CAVEAT}`,
    config: official('ratlip', 'flowers'),
  },
  'ratlip-faces-256': {
    description: 'RATLIP on "CelebA-tiny" (an unknown MM-CelebA-HQ subset), official architecture.',
    reproduces: `RATLIP README, CelebA-tiny: FID 81.48, CLIP score 28.91 (column-swap caveat). ${OFFICIAL_CAVEAT}`,
    config: official('ratlip', 'faces'),
  },
  'galip-birds-256': {
    description: 'GALIP on CUB birds: plain DF affines and plain convs (no RAT, no shuffle attention).',
    reproduces: `GALIP (CVPR 2023), CUB: FID 10.08, CLIP score 0.3164 (RATLIP README: 10.00 / 31.60). G 51,830,211 params. ${OFFICIAL_CAVEAT}`,
    config: official('galip', 'birds'),
  },
  'galip-flowers-256': {
    description: 'GALIP on Oxford-102 flowers (the RATLIP README baseline).',
    reproduces: `RATLIP README, GALIP on Oxford: CLIP score 31.77 (column-swap caveat). ${OFFICIAL_CAVEAT}`,
    config: official('galip', 'flowers'),
  },
  'galip-faces-256': {
    description: 'GALIP on "CelebA-tiny" (the RATLIP README baseline).',
    reproduces: `RATLIP README, GALIP on CelebA-tiny: FID 94.45, CLIP score 27.95 (column-swap caveat). ${OFFICIAL_CAVEAT}`,
    config: official('galip', 'faces'),
  },
  'ratlip-shapes-32': {
    description:
      "RATLIP for the built-in Shapes data with the Shapes CLIP (@ratlip/clip SHAPES_CLIP_CONFIG): 32 px clean output, the trainer's default.",
    reproduces:
      'No published numbers: the trainer default and the shipped Shapes generator. Same structure as the official ' +
      'model on a 4 x 4 token grid of width 128; the CLIP has 6 blocks, so D reads blocks 1, 2, 4 and the mapper ' +
      'prompts blocks 1-4 (the official 1, 4, 8 and 1-8 of 12, scaled). ngf 16, batch 8.',
    config: SHAPES_32,
  },
  'ratlip-shapes-32-words': {
    description:
      'ratlip-shapes-32 with word attention after its 8 and 16 px G-blocks (not in the paper): for captions of several objects.',
    reproduces:
      "No published numbers. The Shapes CLIP's pooled 64-value sentence embedding mixes two objects' attributes " +
      '(a probe reads both colours and places from it 45 % of the time, from its word features 95 %); the ' +
      'attention lets each place read the phrase meant for it.',
    config: {
      ...SHAPES_32,
      name: 'ratlip-shapes-32-words',
      generator: {
        ...SHAPES_32.generator,
        wordAttention: SHAPES_WORD_ATTENTION,
      },
    },
  },
  'ratlip-shapes-32-context': {
    description:
      'ratlip-shapes-32-words whose word features first pass a bidirectional self-attention layer (not in the paper): ' +
      'so each place can find the shape word of its own object.',
    reproduces:
      'No published numbers: the shipped Shapes generator in its stage 4. Grown on the stage-3 generator, ' +
      '2,908 steps gave two-object shape 0.414 on 1,000 held-out captions, against 0.380 to 0.384 for the same ' +
      "training without the layer; the CLIP's causal word features give the word 'star' nothing of the place named " +
      'after it, the layer does.',
    config: {
      ...SHAPES_32,
      name: 'ratlip-shapes-32-context',
      generator: {
        ...SHAPES_32.generator,
        wordAttention: { ...SHAPES_WORD_ATTENTION, contextLayers: 1, contextHeads: 4 },
      },
    },
  },
  'ratlip-shapes-32-places': {
    description:
      "ratlip-shapes-32-words whose word attention after the 8 and 16 px G-blocks also modulates the next G-block's " +
      'affines at each place (not in the paper): so each object gets the outline its own words name.',
    reproduces:
      'No published numbers. With word attention alone, the pooled sentence embedding decides the outlines: given ' +
      "the embedding of a two-object caption's first phrase alone (its word features unchanged), the shipped generator " +
      "drew the first object's outline right 0.62 of the time instead of 0.43, and the second object all but vanished.",
    config: {
      ...SHAPES_32,
      name: 'ratlip-shapes-32-places',
      generator: {
        ...SHAPES_32.generator,
        wordAttention: { ...SHAPES_WORD_ATTENTION, placeModulation: true, placeGain: 20 },
      },
    },
  },
  'ratlip-shapes-32-phrases': {
    description:
      "ratlip-shapes-32-context whose G-blocks' affines take, at each place, the sentence embedding of the caption's " +
      'phrase about that place (phrase attention, not in the paper): so each object gets the outline its own phrase names.',
    reproduces:
      'No published numbers: the shipped Shapes generator since its stage 5. Grown on the stage-4 generator and ' +
      'trained 7,000 steps, two-object shape 0.847 on 1,000 held-out captions (0.414 before; one object 0.896). ' +
      "The pooled sentence embedding of a two-object caption decides the outlines through the G-blocks' affines: " +
      "given the nearer object's phrase at each place (an oracle, no training), the stage-4 generator's two-object " +
      'shape rose from 0.43 to 0.64.',
    config: {
      ...SHAPES_32,
      name: 'ratlip-shapes-32-phrases',
      generator: {
        ...SHAPES_32.generator,
        wordAttention: { ...SHAPES_WORD_ATTENTION, contextLayers: 1, contextHeads: 4 },
        phraseAttention: { blocks: [0, 1, 2], keyDim: 32, scoreGain: 16 },
      },
    },
  },
  'ratlip-shapes-64': {
    description:
      "Small CPU RATLIP for the built-in Shapes data: @ratlip/clip's 'small' CLIP, 64 px clean output.",
    reproduces:
      'No published numbers: a 64 px Shapes model. Same structure as the official model (adapter with RAT, mapper, ' +
      'Conv_shuffle G-blocks, CLIP-feature D), scaled to an 8 x 8 token grid of width 128, ngf 16 and batch 8 ' +
      '(a TF.js training step holds about 190 MB per image; batch 8 stays inside the wasm heap).',
    config: {
      name: 'ratlip-shapes-64',
      architecture: 'ratlip',
      dataset: 'shapes',
      imageSize: 64,
      clean: true,
      clip: clipSection('small'),
      generator: { ngf: 16, noiseDim: 100, codeChannels: 64, midChannels: 32 },
      discriminator: { outChannels: 256, netCHiddenChannels: 128 },
      training: {
        batchSize: 8,
        epochs: 200,
        checkpointEveryEpochs: 1,
        sampleEveryEpochs: 1,
        evalEveryEpochs: 5,
      },
    },
  },
  'ratlip-tiny': {
    description:
      "The smallest sensible RATLIP, for tests and benchmarks: @ratlip/clip's 'tiny' CLIP, 32 px clean.",
    reproduces:
      'Nothing published: exercises every part of the model (4 x 4 token grid, width 64) in milliseconds.',
    config: {
      name: 'ratlip-tiny',
      architecture: 'ratlip',
      dataset: 'shapes',
      imageSize: 32,
      clean: true,
      clip: clipSection('tiny'),
      generator: { ngf: 16, noiseDim: 32, codeChannels: 32, midChannels: 16, rat: { hiddenSize: 16 } },
      discriminator: { outChannels: 64, netCHiddenChannels: 32 },
      training: {
        batchSize: 8,
        epochs: 10,
        checkpointEveryEpochs: 1,
        sampleEveryEpochs: 1,
        evalEveryEpochs: 1,
      },
    },
  },
};

/** The preset names, in registry order. */
export function ratlipPresetNames(): RatlipPresetName[] {
  return Object.keys(RATLIP_PRESETS) as RatlipPresetName[];
}

/** A preset by name; throws listing the known names for an unknown one. */
export function ratlipPreset(name: string): RatlipPreset {
  const preset = (RATLIP_PRESETS as Record<string, RatlipPreset | undefined>)[name];
  if (!preset) {
    throw new Error(`ratlip preset: unknown '${name}'; known: ${ratlipPresetNames().join(', ')}`);
  }
  return preset;
}
