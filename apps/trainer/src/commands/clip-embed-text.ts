import type { Command } from 'commander';
import { UsageError } from '../cli-errors';
import { parseOptions, textValue } from '../options/option-values';
import { readCaptionsFile } from '../tokenize/read-captions-file';
import { addClipEmbedOptions, checkClipEmbedPaths, clipEmbedOptionsSchema } from './clip-embed-options';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = clipEmbedOptionsSchema.extend({
  file: textValue('a captions file').optional(),
});

/** `ratlip clip embed-text`: CLIP text embeddings of captions to a safetensors file. */
export const registerClipEmbedText: CommandRegistrar = (parent, context) =>
  addClipEmbedOptions(
    parent
      .command('embed-text')
      .description(
        'write CLIP text embeddings of captions to a safetensors file: text_embeds [count, dim], token ids in the metadata',
      )
      .argument('[text...]', 'captions; or use --file'),
  )
    .option('--file <path>', 'captions from a text file, one per line')
    .addHelpText(
      'after',
      `
Captions longer than the CLIP's context are cut (as clip.tokenize(truncate=True)). The embeddings are the
text projection's output, not L2-normalised. Metadata: captions, token_ids (one array per caption, start
to end marker), weights, normalized. With compact weights (ratlip clip pretrain on Shapes), a caption using
a token the file does not keep gets a warning: that token embeds as a zero row.
${examplesHelp([
  [
    'ratlip clip embed-text --weights ViT-B-32.safetensors "a red bird" --out bird.safetensors',
    'one caption',
  ],
  [
    'ratlip clip embed-text --weights shapes-clip.safetensors --file captions.txt --out text.safetensors',
    'a file',
  ],
])}`,
    )
    .action(async (texts: string[], _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      if ((options.file === undefined) === (texts.length === 0)) {
        throw new UsageError('give captions either as arguments or with --file <path> (one of the two)');
      }
      checkClipEmbedPaths(options);
      const captions = options.file === undefined ? texts : readCaptionsFile(options.file);
      const { ClipTokenizer } = await import('@ratlip/clip');
      const { embedTexts } = await import('../clip/text-embeddings');
      const { embedToFile } = await import('../clip/embed-to-file');
      const tokenizer = await ClipTokenizer.load();
      await embedToFile(context.io, options, {
        name: 'text_embeds',
        count: captions.length,
        rowsNoun: 'captions',
        embed: ({ model, tokenIds }) => {
          const embeddings = embedTexts(model, tokenizer, captions);
          if (tokenIds) {
            const kept = new Set(tokenIds);
            embeddings.tokenIds.forEach((ids, index) => {
              const dropped = ids.filter((id) => !kept.has(id));
              if (dropped.length > 0) {
                context.io.stderr.write(
                  `warning: caption ${index + 1} uses ${dropped.length} token(s) that ${options.weights} does not keep ` +
                    `(${JSON.stringify(tokenizer.decode(dropped))}); they embed as zero rows\n`,
                );
              }
            });
          }
          return {
            values: embeddings.values,
            dim: embeddings.dim,
            metadata: {
              captions: JSON.stringify(captions),
              token_ids: JSON.stringify(embeddings.tokenIds),
            },
          };
        },
      });
    });
