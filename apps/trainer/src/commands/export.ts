import { join } from 'node:path';
import { useBackend } from '@ratlip/runtime';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requirePath } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { exportGenerator } from '../run/generator-export';
import { resolveCheckpoint } from '../run/run-folder';
import { exportRunForWeb, type WebExportOptions } from '../run/web-export';
import { readCaptionsFile } from '../tokenize/read-captions-file';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  web: z.boolean().optional(),
  generator: z.boolean().optional(),
  out: textValue('a folder').optional(),
  name: textValue('a display name').optional(),
  description: textValue('a description').optional(),
  captions: textValue('a captions file').optional(),
  index: textValue('a model index file (index.json)').optional(),
  id: textValue('a model id').optional(),
  default: z.boolean().optional(),
  backend: backendValue().default('auto'),
});

type ExportOptions = z.output<typeof optionsSchema>;

/** The export's options from the command line's, checking the ones that only make sense together. */
function webExportOptions(options: ExportOptions): WebExportOptions {
  if (options.index === undefined && (options.id !== undefined || options.default)) {
    throw new UsageError(`${options.id !== undefined ? '--id' : '--default'} needs --index <index.json>`);
  }
  let sampleCaptions: string[] | undefined;
  if (options.captions !== undefined) {
    sampleCaptions = readCaptionsFile(options.captions).filter((caption) => caption.trim() !== '');
    if (sampleCaptions.length === 0)
      throw new UsageError(`--captions ${options.captions}: the file holds no captions`);
  }
  return {
    ...(sampleCaptions === undefined ? {} : { sampleCaptions }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.index === undefined
      ? {}
      : {
          index: {
            path: options.index,
            ...(options.id === undefined ? {} : { id: options.id }),
            makeDefault: options.default ?? false,
          },
        }),
  };
}

/** `ratlip export`: a trained run packaged for the playground (`--web`) or as its generator alone (`--generator`). */
export const registerExport: CommandRegistrar = (parent, context) =>
  parent
    .command('export')
    .description(
      'package a trained run: --web writes what the browser playground loads, --generator the generator alone for ratlip sample',
    )
    .argument('<run>', 'run folder or checkpoint folder')
    .option('--web', 'export for the browser playground (apps/playground)')
    .option(
      '--generator',
      'write the generator alone as a checkpoint folder (config, generator weights, state; no D, no optimizer)',
    )
    .option('--out <dir>', 'output folder (default: <run>/web or <run>/generator)')
    .option('--name <text>', 'display name in the model picker (default: "<preset> (step <N>)")')
    .option('--description <text>', 'one or two sentences shown under the model picker')
    .option(
      '--captions <file>',
      'example captions for the page, one per line, 1 to 64 (default: a few Shapes captions)',
    )
    .option(
      '--index <index.json>',
      "add or update the model in an app's model index (created if absent); --out must be a subfolder of its folder",
    )
    .option('--id <id>', 'the model id in the index (default: the output folder name)')
    .option('--default', 'make the model the first, default entry of the index')
    .option('--backend <name>', BACKEND_HELP)
    .addHelpText(
      'after',
      examplesHelp([
        ['ratlip export --web runs/shapes-generator', 'weights and captions for the playground'],
        [
          'ratlip export --web runs/shapes-generator --out apps/playground/public/models/shapes --index apps/playground/public/models/index.json --name "Shapes" --default',
          "publish the playground's default model",
        ],
        [
          'ratlip export --generator runs/shapes-generator/checkpoints/best --out apps/trainer/assets/shapes-generator',
          'the shipped Shapes generator',
        ],
      ]),
    )
    .action(async (run: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      if (options.web === options.generator)
        throw new UsageError('choose one export target: --web or --generator');
      requirePath(run, 'run');
      resolveCheckpoint(run);
      if (options.generator) {
        const result = exportGenerator(run, options.out ?? join(run, 'generator'));
        context.io.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const webOptions = webExportOptions(options);
      await useBackend(options.backend);
      const result = await exportRunForWeb(run, options.out ?? join(run, 'web'), webOptions);
      context.io.stdout.write(`${JSON.stringify(result)}\n`);
    });
