import { join } from 'node:path';
import { useBackend } from '@ratlip/runtime';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requirePath } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { resolveCheckpoint } from '../run/run-folder';
import { exportRunForWeb } from '../run/web-export';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  web: z.boolean().optional(),
  out: textValue('a folder').optional(),
  backend: backendValue().default('auto'),
});

/** `ratlip export`: a trained run packaged for the playground (`--web`). */
export const registerExport: CommandRegistrar = (parent, context) =>
  parent
    .command('export')
    .description('package a trained run for another target; --web writes what the browser playground loads')
    .argument('<run>', 'run folder or checkpoint folder')
    .option('--web', 'export for the browser playground (apps/playground)')
    .option('--out <dir>', 'output folder (default: <run>/web)')
    .option('--backend <name>', BACKEND_HELP)
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
      resolveCheckpoint(run);
      await useBackend(options.backend);
      const result = await exportRunForWeb(run, options.out ?? join(run, 'web'));
      context.io.stdout.write(`${JSON.stringify(result)}\n`);
    });
