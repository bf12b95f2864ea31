import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { checkDatasetOption } from '../options/dataset-option';
import { integerValue, parseOptions, positiveNumberValue, textValue } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  dataset: textValue('a dataset spec kind:path').default('shapes'),
  out: textValue('a folder').optional(),
  steps: integerValue(1).optional(),
  minutes: positiveNumberValue().optional(),
  batchSize: integerValue(2, 65_536).optional(),
  backend: backendValue().default('auto'),
  seed: integerValue(0, 2 ** 32 - 1).default(0),
});

/** `ratlip clip pretrain`: contrastive training of a CLIP on a dataset (lands with the CLIP model). */
export const registerClipPretrain: CommandRegistrar = (parent) =>
  parent
    .command('pretrain')
    .description('train a CLIP (image and text encoders) contrastively on a dataset, e.g. the Shapes CLIP')
    .option('--dataset <kind:path>', 'training data (default: shapes)')
    .option('--out <dir>', 'output folder for the CLIP weights and its log')
    .option('--steps <n>', 'stop after this many steps')
    .option('--minutes <m>', 'stop after this many minutes (with --steps: whichever comes first)')
    .option('--batch-size <n>', 'image-caption pairs per step (at least 2)')
    .option('--backend <name>', BACKEND_HELP)
    .option('--seed <n>', 'seed, 0 to 2^32-1 (default: 0)')
    .addHelpText(
      'after',
      examplesHelp([
        ['ratlip clip pretrain --out runs/shapes-clip --minutes 5', 'a Shapes CLIP in five minutes'],
        [
          'ratlip clip pretrain --dataset folder:my/images --steps 2000 --out runs/my-clip',
          'a CLIP of your own data',
        ],
      ]),
    )
    .action(async (_options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      await checkDatasetOption(options.dataset, '--dataset');
      throw new NotYetImplementedError(
        'CLIP training',
        'issue 3 (packages/clip: the CLIP model) and issue 9 (its training loop)',
      );
    });
