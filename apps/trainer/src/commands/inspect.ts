import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({ json: z.boolean().optional() });

/** `ratlip inspect`: what a weight file holds. */
export const registerInspect: CommandRegistrar = (parent, context) =>
  parent
    .command('inspect')
    .description(
      'list the tensors of a .safetensors, .npz or .pth file (names, dtypes, shapes) with the parameter count and metadata',
    )
    .argument('<file>', 'weight or statistics file; the format is recognised from its content')
    .option(
      '--json',
      'print one JSON object {file, format, fileBytes, tensors: [{name, dtype, shape, count}], parameters, metadata}',
    )
    .addHelpText(
      'after',
      `
Dtypes are spelled as in safetensors for every format (F64, F32, F16, BF16, I64, I32, U8, BOOL, ...).
The parameter count is the sum of all tensors' element counts; for a .pth checkpoint it includes
optimizer state, and its non-tensor values (epoch, learning rates) are listed as metadata.
${examplesHelp([
  ['ratlip inspect tiny_clip_openai.safetensors', 'tensors and __metadata__ (reads the header only)'],
  ['ratlip inspect bird_val256_FIDK0.npz', 'the mu [2048] and sigma [2048, 2048] of an FID statistics file'],
  ['ratlip inspect state_epoch_1000.pth --json', 'an official checkpoint as JSON'],
])}`,
    )
    .action(async (file: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      const { summariseWeightFile } = await import('../inspect/summarise-weight-file');
      const summary = summariseWeightFile(file);
      if (options.json) {
        context.io.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const { renderSummary } = await import('../inspect/render-summary');
      context.io.stdout.write(renderSummary(summary));
    });
