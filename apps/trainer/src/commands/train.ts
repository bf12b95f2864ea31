import type { Command } from 'commander';
import { UsageError } from '../cli-errors';
import { BACKEND_HELP } from '../options/backend-option';
import { checkDatasetOption } from '../options/dataset-option';
import { parseOptions } from '../options/option-values';
import { withInterruptSignal } from '../run/interrupt-signal';
import { runTraining } from '../run/train-run';
import { resolveTrainConfig, trainOptionsSchema } from '../train/train-config';
import { DEFAULT_PRESET, TRAIN_PRESETS } from '../train/train-presets';
import { type CommandRegistrar, examplesHelp } from './command-context';

const presetHelp = Object.entries(TRAIN_PRESETS)
  .map(([name, preset]) => `  ${name.padEnd(12)} ${preset.description}`)
  .join('\n');

/** `ratlip train`: trains or resumes a run folder (see `runTraining`); Ctrl-C stops after the current step with a checkpoint. */
export const registerTrain: CommandRegistrar = (parent, context) =>
  parent
    .command('train')
    .description(
      'train a RATLIP text-to-image GAN (the default trains a small one on the built-in Shapes dataset)',
    )
    .option('--preset <name>', `starting settings, see below (default: ${DEFAULT_PRESET})`)
    .option(
      '--config <file>',
      'settings from a .yaml or .json file (keys as the options in camelCase: batchSize, ...)',
    )
    .option(
      '--dataset <kind:path>',
      'training data, e.g. shapes, birds:data/birds, folder:my/images, manifest:data.jsonl',
    )
    .option('--out <dir>', 'run folder (default: runs/<preset>-<date>-<time>)')
    .option('--resume <run-dir>', "continue a run from its last checkpoint with the run's own config")
    .option(
      '--new-clip',
      "with --resume: go on training although the run's CLIP changed since (e.g. a new shipped CLIP), recording the change in config.json",
    )
    .option('--steps <n>', 'stop after this many steps')
    .option('--minutes <m>', 'stop after this many minutes (with --steps: whichever comes first)')
    .option('--batch-size <n>', 'images per step')
    .option('--backend <name>', BACKEND_HELP)
    .option('--seed <n>', 'seed of data order, noise and initialisation, 0 to 2^32-1 (default: 0)')
    .option('--sample-every <n>', 'steps between fakes-<step>.png grids (default: from the preset)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default: from the preset)')
    .option('--keep-checkpoints <n>', 'checkpoints kept, newest first (default: from the preset)')
    .option(
      '--eval-samples <n>',
      'images per Shapes-alignment evaluation, 0 for none (default: from the preset)',
    )
    .option(
      '--eval-every <n>',
      'steps between Shapes-alignment evaluations written to eval.jsonl, 0 for only at the end (default: from the preset)',
    )
    .option(
      '--ema-decay <d>',
      "per-step decay of the generator's moving average that sampling and evaluation use, 0 for none; with --resume it applies from the checkpoint on (default: from the preset)",
    )
    .option(
      '--generator-learning-rate <lr>',
      "Adam learning rate of the generator; with --resume it applies from the checkpoint on, the optimizer's moments carrying over (default: the model's, 1e-4)",
    )
    .option(
      '--discriminator-learning-rate <lr>',
      "Adam learning rate of the discriminator and its matching head; with --resume as --generator-learning-rate (default: the model's, 4e-4)",
    )
    .option(
      '--workers <n>',
      "data-parallel replicas (threads), each stepping on an equal shard of the batch; 'auto': one per core on wasm and cpu with shards of at least 2 images (default: 1)",
    )
    .option(
      '--hard-negative-group <n>',
      'Shapes: consecutive samples sharing colour and position, so mismatched pairs differ in shape or size; 0 for random order (default: from the preset)',
    )
    .option(
      '--clip-contrast-weight <w>',
      "weight of a contrastive CLIP term in the generator's loss (not in the paper): each fake must match its caption better than captions that do not describe it (Shapes: one attribute changed, or swapped between two objects; else the batch's other captions); 0 for the official loss; with --resume it applies from the checkpoint on (default: from the preset, else 0)",
    )
    .option('--clip-contrasts <n>', 'contrast captions per image of that term (default: 8)')
    .option(
      '--hard-mismatch',
      "the discriminator's mismatched pairs also pair each real image with a caption that nearly describes it (the first contrast caption; not in the paper); with --resume it applies from the checkpoint on (default: from the preset, else off)",
    )
    .option(
      '--no-hard-mismatch',
      'the official mismatched pairs only (with --resume: from the checkpoint on)',
    )
    .option(
      '--reconstruction-weight <w>',
      "weight of a paired reconstruction term in the generator's loss (not in the paper, as pix2pix's L1): the mean absolute difference between each fake and the real image of its caption, for data whose captions fix the layout such as Shapes; 0 for the official loss; with --resume it applies from the checkpoint on (default: from the preset, else 0)",
    )
    .option(
      '--reconstruction-foreground <w>',
      "weight in that term of the pixels that stand apart from the image's border colour, relative to the others; 1 for every pixel alike (default: from the preset, else 1)",
    )
    .option(
      '--reconstruction-foreground-of <whose>',
      "real: that weight goes to the real image's object pixels only, so paint over the real background weighs 1; both: to the object pixels of the real or the fake image, so stray paint and rounded-off outlines cost as much as missing objects; with --resume it applies from the checkpoint on (default: from the preset, else real)",
    )
    .option(
      '--init-from <checkpoint>',
      "a fresh run starts from this checkpoint's (or run's last checkpoint's) weights wherever the new model has the same tensor; what only the new model has, such as word attention, starts fresh, and so does the discriminator of a generator-only checkpoint (an export such as the shipped generator); steps and optimizer state start at zero",
    )
    .option('--print-config', 'print the resolved config.json and exit without training')
    .addHelpText(
      'after',
      `\nPresets:\n${presetHelp}\n\nPrecedence: options, then --config, then the preset. A budget (--steps/--minutes)\ngiven at one level replaces the lower levels' budget.\n${examplesHelp(
        [
          ['ratlip train', 'the default run: Shapes, about 10 minutes'],
          [
            'ratlip train --preset shapes-long --out runs/shapes-long',
            "the shipped Shapes generator's first stage (its README gives all five)",
          ],
          ['ratlip train --resume runs/shapes-long --minutes 60', 'continue it for another hour'],
          [
            'ratlip train --preset shapes-phrases --init-from apps/trainer/assets/shapes-generator --out runs/more',
            'go on training the shipped Shapes generator (with a fresh discriminator)',
          ],
          [
            'ratlip train --config birds.yaml --dataset birds:data/birds --backend tensorflow',
            'CUB birds on tfjs-node',
          ],
          ['ratlip train --steps 200 --batch-size 8 --print-config', 'show the settings a run would use'],
        ],
      )}`,
    )
    .action(async (_options: unknown, command: Command) => {
      const options = parseOptions(trainOptionsSchema, command);
      const config = resolveTrainConfig(options);
      await checkDatasetOption(config.dataset, options.dataset === undefined ? 'dataset' : '--dataset');
      if (options.printConfig) {
        context.io.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        return;
      }
      if (options.newClip && options.resume === undefined) {
        throw new UsageError('--new-clip goes with --resume: a new run records the CLIP it starts with');
      }
      await withInterruptSignal(context.io, (stop) =>
        runTraining(config, context.io, stop, { acceptNewClip: options.newClip ?? false }),
      );
    });
