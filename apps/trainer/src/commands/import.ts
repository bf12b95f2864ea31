import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError } from '../cli-errors';
import { requireFile } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({ out: textValue('a checkpoint folder') });

/** `ratlip import`: official RATLIP checkpoints to this project's checkpoint folders (lands with the GAN). */
export const registerImport: CommandRegistrar = (parent) =>
  parent
    .command('import')
    .description(
      'convert an official RATLIP/GALIP PyTorch checkpoint (.pth) into a checkpoint folder of this project',
    )
    .argument('<checkpoint.pth>', 'official checkpoint, e.g. state_epoch_1000.pth')
    .requiredOption('--out <dir>', 'checkpoint folder to write')
    .addHelpText(
      'after',
      examplesHelp([
        ['ratlip import state_epoch_1000.pth --out checkpoints/birds', 'the official CUB generator'],
      ]),
    )
    .action(async (checkpoint: string, _options: unknown, command: Command) => {
      parseOptions(optionsSchema, command);
      requireFile(checkpoint, 'checkpoint');
      throw new NotYetImplementedError(
        'importing official checkpoints',
        'issue 5 (packages/ratlip-gan: the model and its checkpoint layout); `ratlip inspect` reads the file already',
      );
    });
