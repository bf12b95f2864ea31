import type { Command } from 'commander';
import { readFileBytes, requireFile } from '../options/input-files';
import { parseOptions } from '../options/option-values';
import { addClipEmbedOptions, checkClipEmbedPaths, clipEmbedOptionsSchema } from './clip-embed-options';
import { type CommandRegistrar, examplesHelp } from './command-context';

/** `ratlip clip embed-image`: CLIP image embeddings to a safetensors file. */
export const registerClipEmbedImage: CommandRegistrar = (parent, context) =>
  addClipEmbedOptions(
    parent
      .command('embed-image')
      .description(
        'write CLIP image embeddings to a safetensors file: image_embeds [count, dim], file names in the metadata',
      )
      .argument('<images...>', 'image files (PNG, JPEG, WebP, ...)'),
  )
    .addHelpText(
      'after',
      `
Images are decoded with sharp (alpha dropped, grey made RGB) and preprocessed as OpenAI CLIP does: short
side to the CLIP's image size with PIL-exact bicubic, centre crop, /255, CLIP mean/std. An image already
of the CLIP's size (e.g. 32 x 32 for the Shapes CLIP) is not resampled, only scaled and normalised. The
embeddings are the image projection's output, not L2-normalised. Metadata: files (as given), weights,
normalized.
${examplesHelp([
  [
    'ratlip clip embed-image --weights ViT-B-32.safetensors photos/*.jpg --out images.safetensors',
    'a folder of photos',
  ],
])}`,
    )
    .action(async (images: string[], _options: unknown, command: Command) => {
      const options = parseOptions(clipEmbedOptionsSchema, command);
      checkClipEmbedPaths(options);
      for (const image of images) requireFile(image, 'image');
      const { sharpImageDecoder } = await import('@ratlip/datasets/node');
      const { embedImages } = await import('../clip/image-embeddings');
      const { embedToFile } = await import('../clip/embed-to-file');
      await embedToFile(context.io, options, {
        name: 'image_embeds',
        count: images.length,
        rowsNoun: 'images',
        embed: async ({ model }) => {
          const decoder = sharpImageDecoder();
          const embeddings = await embedImages(model, images.length, (index) =>
            decoder.decode(readFileBytes(images[index]!), {}, images[index]!),
          );
          return { ...embeddings, metadata: { files: JSON.stringify(images) } };
        },
      });
    });
