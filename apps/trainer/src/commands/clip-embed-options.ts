import { dirname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requireDirectory, requireFile } from '../options/input-files';
import { textValue } from '../options/option-values';

/** zod schema of the options every `ratlip clip embed-*` command takes. */
export const clipEmbedOptionsSchema = z.object({
  /** The CLIP weights file (required). */
  weights: textValue('a CLIP weights file'),
  /** The `.safetensors` file the embeddings are written to (required). */
  out: textValue('an output .safetensors file'),
  /** TensorFlow.js backend; default `'auto'`. */
  backend: backendValue().default('auto'),
});

/** The parsed options every `ratlip clip embed-*` command takes. */
export type ClipEmbedOptions = z.output<typeof clipEmbedOptionsSchema>;

/** Adds `--weights <file>` and `--out <file>` (both required) and `--backend <name>` to an embed command. */
export function addClipEmbedOptions(command: Command): Command {
  return command
    .requiredOption('--weights <file>', 'CLIP weights (.safetensors, OpenAI or Hugging Face names)')
    .requiredOption('--out <file>', 'output .safetensors file')
    .option('--backend <name>', BACKEND_HELP);
}

/** Checks that the weights file and the output's folder exist, before anything heavy is loaded. */
export function checkClipEmbedPaths(options: ClipEmbedOptions): void {
  requireFile(options.weights, 'weights file');
  requireDirectory(dirname(options.out), 'output folder');
}
