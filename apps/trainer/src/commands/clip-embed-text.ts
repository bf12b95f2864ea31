import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError, UsageError } from '../cli-errors';
import { requireFile } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { readCaptionsFile } from '../tokenize/read-captions-file';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  weights: textValue('a CLIP weights file'),
  file: textValue('a captions file').optional(),
  out: textValue('an output .safetensors file'),
});

/** `ratlip clip embed-text`: CLIP text embeddings to safetensors (lands with the CLIP model). */
export const registerClipEmbedText: CommandRegistrar = (parent) =>
  parent
    .command('embed-text')
    .description(
      'write CLIP text embeddings of captions to a safetensors file: text_embeds [count, dim], token ids in the metadata',
    )
    .argument('[text...]', 'captions; or use --file')
    .requiredOption('--weights <file>', 'CLIP weights (.safetensors, OpenAI or Hugging Face names)')
    .option('--file <path>', 'captions from a text file, one per line')
    .requiredOption('--out <file>', 'output .safetensors file')
    .addHelpText(
      'after',
      examplesHelp([
        [
          'ratlip clip embed-text --weights ViT-B-32.safetensors "a red bird" --out bird.safetensors',
          'one caption',
        ],
        [
          'ratlip clip embed-text --weights shapes-clip.safetensors --file captions.txt --out text.safetensors',
          'a file',
        ],
      ]),
    )
    .action(async (texts: string[], _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      if ((options.file === undefined) === (texts.length === 0)) {
        throw new UsageError('give captions either as arguments or with --file <path> (one of the two)');
      }
      requireFile(options.weights, 'weights file');
      if (options.file !== undefined) readCaptionsFile(options.file);
      throw new NotYetImplementedError(
        'CLIP text embeddings',
        'issue 3 (packages/clip: the CLIP text transformer)',
      );
    });
