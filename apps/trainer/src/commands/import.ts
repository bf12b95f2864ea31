import type { RatlipConfigOverrides } from '@ratlip/ratlip-gan';
import { useBackend } from '@ratlip/runtime';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requireFile } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { importOfficialRun } from '../run/import-official';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  out: textValue('a checkpoint folder'),
  clip: textValue('a CLIP .safetensors file'),
  preset: textValue('a RATLIP preset name').optional(),
  overrides: textValue('a JSON object of config changes').optional(),
  backend: backendValue().default('auto'),
});

function parseOverrides(text: string): RatlipConfigOverrides {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--overrides: not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError('--overrides: expected a JSON object, e.g. {"clip":{"tapBlocks":[2,5,9]}}');
  }
  return value as RatlipConfigOverrides;
}

/** `ratlip import`: official RATLIP/GALIP checkpoints to this project's checkpoint folders. */
export const registerImport: CommandRegistrar = (parent, context) =>
  parent
    .command('import')
    .description(
      'convert an official RATLIP/GALIP PyTorch checkpoint (.pth) into a checkpoint folder of this project',
    )
    .argument('<checkpoint.pth>', 'official checkpoint, e.g. state_epoch_1000.pth')
    .requiredOption('--out <dir>', 'checkpoint folder to write')
    .requiredOption(
      '--clip <weights>',
      'the CLIP it was trained with (.safetensors), e.g. ViT-B-32.safetensors',
    )
    .option('--preset <name>', 'RATLIP preset for what the tensors cannot tell (default: ratlip-birds-256)')
    .option('--overrides <json>', 'config changes as JSON, e.g. \'{"clip":{"tapBlocks":[2,5,9]}}\'')
    .option('--backend <name>', BACKEND_HELP)
    .addHelpText(
      'after',
      examplesHelp([
        [
          'ratlip import state_epoch_1000.pth --clip ViT-B-32.safetensors --out checkpoints/birds',
          'the official CUB generator',
        ],
      ]),
    )
    .action(async (checkpoint: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      requireFile(checkpoint, 'checkpoint');
      requireFile(options.clip, 'CLIP weights');
      await useBackend(options.backend);
      const result = await importOfficialRun({
        checkpoint,
        clipWeights: options.clip,
        out: options.out,
        ...(options.preset === undefined ? {} : { preset: options.preset }),
        ...(options.overrides === undefined ? {} : { overrides: parseOverrides(options.overrides) }),
      });
      context.io.stdout.write(`${JSON.stringify(result)}\n`);
    });
