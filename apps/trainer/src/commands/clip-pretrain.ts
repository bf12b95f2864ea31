import type { Command } from 'commander';
import { z } from 'zod';
import {
  CLIP_PRETRAIN_PRESETS,
  DEFAULT_CLIP_PRETRAIN_PRESET,
  LENGTH_ESTIMATE_STEPS,
} from '../clip/pretrain-presets';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { checkDatasetOption } from '../options/dataset-option';
import { integerValue, parseOptions, positiveNumberValue, textValue } from '../options/option-values';
import { withInterruptSignal } from '../run/interrupt-signal';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  preset: textValue('a preset name').optional(),
  dataset: textValue('a dataset spec kind:path').optional(),
  out: textValue('a folder').optional(),
  init: textValue('a CLIP weights file').optional(),
  bindingNegatives: z.boolean().optional(),
  freezeVision: z.boolean().optional(),
  resume: textValue('a pretraining run folder').optional(),
  steps: integerValue(1).optional(),
  minutes: positiveNumberValue().optional(),
  batchSize: integerValue(2, 65_536).optional(),
  backend: backendValue().optional(),
  seed: integerValue(0, 2 ** 32 - 1).optional(),
  evalEvery: integerValue(0).optional(),
  evalImages: integerValue(1).optional(),
  checkpointEvery: integerValue(1).optional(),
  keepCheckpoints: integerValue(1).optional(),
});

const presetHelp = Object.entries(CLIP_PRETRAIN_PRESETS)
  .map(([name, preset]) => `  ${name.padEnd(13)} ${preset.description}; ${preset.steps} steps by default`)
  .join('\n');

const AFTER_HELP = `
Presets:
${presetHelp}

Output folder: config.json (resolved settings), metrics.jsonl (per step: loss, learningRate, accuracy
of the batch, stepMs, numTensors, ...), checkpoints/step-NNNNNN/ (weights, AdamW state, data position;
atomic), zero-shot.jsonl (with --eval-every), and at the end clip.safetensors (final weights; on Shapes
only the token-embedding rows of the Shapes vocabulary are kept, the loaders expand them) and, on Shapes,
zero-shot.json: accuracy per attribute (colour, shape, size, position) with chance levels, each
single-object test image choosing among its canonical caption with that attribute set to every value,
and binding per attribute (chance 0.5), each two-object test image choosing between its canonical
caption and the same caption with that attribute exchanged between the objects.
The last line printed is a JSON summary.

Length: --steps is the run's length, where the cosine learning-rate schedule ends. With --minutes alone
the length is estimated after the first ${LENGTH_ESTIMATE_STEPS + 1} steps (their mean time fills the budget) and recorded in
config.json; with both, training stops at whichever comes first. --resume continues from the newest
checkpoint with identical losses; it takes everything from the run's config.json except a new budget
(--steps up to the run's length, --minutes), --backend and the intervals. Ctrl-C stops after the
current step with a checkpoint and the weights so far.
${examplesHelp([
  [
    'ratlip clip pretrain --preset shapes --steps 2500 --eval-every 250 --out runs/shapes-clip',
    'the shipped Shapes CLIP',
  ],
  [
    'ratlip clip pretrain --preset shapes-binding --init runs/shapes-clip/clip.safetensors --out runs/shapes-clip-binding',
    'then teach it which object takes which attribute (the shipped CLIP)',
  ],
  ['ratlip clip pretrain --out runs/shapes-clip-5min --minutes 5', 'a Shapes CLIP in five minutes'],
  ['ratlip clip pretrain --resume runs/shapes-clip', 'continue a stopped run to its length'],
  [
    'ratlip clip pretrain --dataset folder:my/images --steps 2000 --out runs/my-clip',
    'a CLIP of your own data (no zero-shot evaluation)',
  ],
])}`;

/** `ratlip clip pretrain`: contrastive training of a CLIP from scratch (see `runClipPretraining`). */
export const registerClipPretrain: CommandRegistrar = (parent, context) =>
  parent
    .command('pretrain')
    .description('train a CLIP (image and text encoders) contrastively on a dataset, e.g. the Shapes CLIP')
    .option(
      '--preset <name>',
      `CLIP size and training settings, see below (default: ${DEFAULT_CLIP_PRETRAIN_PRESET})`,
    )
    .option('--dataset <kind:path>', "training data (default: the preset's, shapes)")
    .option('--out <dir>', 'output folder (required unless --resume)')
    .option(
      '--init <clip.safetensors>',
      "fine-tune these CLIP weights (of the preset's size) instead of training from scratch; required by shapes-binding",
    )
    .option(
      '--binding-negatives',
      "Shapes: add each two-object caption with one attribute swapped between its objects as a hard-negative text (default: the preset's)",
    )
    .option(
      '--freeze-vision',
      "train the text tower and logit scale only, keeping the image embeddings (default: the preset's)",
    )
    .option('--resume <dir>', 'continue a run from its newest checkpoint with its own config.json')
    .option('--steps <n>', "length of the run in steps (default: the preset's, unless --minutes is given)")
    .option(
      '--minutes <m>',
      'stop this sitting after this many minutes (with --steps: whichever comes first)',
    )
    .option('--batch-size <n>', "image-caption pairs per step, at least 2 (default: the preset's)")
    .option('--backend <name>', BACKEND_HELP)
    .option('--seed <n>', 'seed of the initial weights and the data order, 0 to 2^32-1 (default: 0)')
    .option(
      '--eval-every <n>',
      'steps between zero-shot evaluations in zero-shot.jsonl, 0 for none (default: 0)',
    )
    .option('--eval-images <n>', "Shapes test images per zero-shot evaluation (default: the preset's)")
    .option('--checkpoint-every <n>', "steps between checkpoints (default: the preset's)")
    .option('--keep-checkpoints <n>', 'checkpoints kept, newest first (default: 2)')
    .addHelpText('after', AFTER_HELP)
    .action(async (_options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      const { resolvePretrainSitting } = await import('../clip/pretrain-config');
      const sitting = await resolvePretrainSitting(options);
      await checkDatasetOption(
        sitting.config.dataset,
        options.dataset === undefined ? 'dataset' : '--dataset',
      );
      const { runClipPretraining } = await import('../clip/pretrain-run');
      await withInterruptSignal(context.io, (stop) => runClipPretraining(sitting, context.io, stop));
    });
