import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError, UsageError } from '../cli-errors';
import { requirePath } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  web: z.boolean().optional(),
  out: textValue('a folder').optional(),
});

/** `ratlip export`: a trained run packaged for the playground (lands with the playground). */
export const registerExport: CommandRegistrar = (parent) =>
  parent
    .command('export')
    .description('package a trained run for another target; --web writes what the browser playground loads')
    .argument('<run>', 'run folder or checkpoint folder')
    .option('--web', 'export for the browser playground (apps/playground)')
    .option('--out <dir>', 'output folder (default: <run>/web)')
    .addHelpText(
      'after',
      examplesHelp([
        ['ratlip export --web runs/shapes-generator', 'weights and captions for the playground'],
      ]),
    )
    .action(async (run: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      if (!options.web) throw new UsageError('choose an export target: --web (the only one so far)');
      requirePath(run, 'run');
      throw new NotYetImplementedError(
        'the web export',
        'issue 10 (apps/playground) and issue 5 (the generator)',
      );
    });
