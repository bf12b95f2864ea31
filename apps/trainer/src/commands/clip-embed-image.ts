import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError } from '../cli-errors';
import { requireFile } from '../options/input-files';
import { parseOptions, textValue } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  weights: textValue('a CLIP weights file'),
  out: textValue('an output .safetensors file'),
});

/** `ratlip clip embed-image`: CLIP image embeddings to safetensors (lands with the CLIP model). */
export const registerClipEmbedImage: CommandRegistrar = (parent) =>
  parent
    .command('embed-image')
    .description(
      'write CLIP image embeddings to a safetensors file: image_embeds [count, dim], file names in the metadata',
    )
    .argument('<images...>', 'image files (PNG, JPEG, WebP, ...)')
    .requiredOption('--weights <file>', 'CLIP weights (.safetensors, OpenAI or Hugging Face names)')
    .requiredOption('--out <file>', 'output .safetensors file')
    .addHelpText(
      'after',
      examplesHelp([
        [
          'ratlip clip embed-image --weights ViT-B-32.safetensors photos/*.jpg --out images.safetensors',
          'a folder of photos',
        ],
      ]),
    )
    .action(async (images: string[], _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      requireFile(options.weights, 'weights file');
      for (const image of images) requireFile(image, 'image');
      throw new NotYetImplementedError(
        'CLIP image embeddings',
        'issue 3 (packages/clip: the CLIP vision transformer)',
      );
    });
