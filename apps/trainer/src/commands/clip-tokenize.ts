import type { Command } from 'commander';
import { z } from 'zod';
import { CliFailure, UsageError } from '../cli-errors';
import { integerValue, parseOptions } from '../options/option-values';
import { readCaptionsFile } from '../tokenize/read-captions-file';
import { type CommandRegistrar, examplesHelp } from './command-context';

/** CLIP's context length, the default of `--context`. */
const DEFAULT_CONTEXT = 77;

const optionsSchema = z.object({
  context: integerValue(2).default(DEFAULT_CONTEXT),
  truncate: z.boolean(),
  file: z.string().min(1).optional(),
});

/** Rows written per `write` call, so a large captions file is not held as one string. */
const ROWS_PER_WRITE = 1024;

/** `ratlip clip tokenize`: CLIP token ids of captions, one JSON array per line. */
export const registerClipTokenize: CommandRegistrar = (parent, context) =>
  parent
    .command('tokenize')
    .description(
      'print the CLIP token ids of each caption as one JSON array per line: the full row of ' +
        'clip.tokenize (start marker, tokens, end marker, zero padding)',
    )
    .argument('[text...]', 'captions (quote each one); or use --file')
    .option('--context <n>', `token positions per row, markers included (default: ${DEFAULT_CONTEXT})`)
    .option(
      '--no-truncate',
      'fail on a caption longer than the context instead of cutting it (truncation is on by default)',
    )
    .option(
      '--file <path>',
      'read captions from a UTF-8 text file, one per line; empty lines are kept as empty captions',
    )
    .addHelpText(
      'after',
      examplesHelp([
        ['ratlip clip tokenize "a red circle on the left"', 'one row of 77 ids'],
        ['ratlip clip tokenize --context 16 "a bird" "a flower"', 'two rows of 16 ids'],
        [
          'ratlip clip tokenize --no-truncate --file captions.txt',
          'every line of a file; fail on a too long one',
        ],
        ['ratlip clip tokenize -- "-starts with a dash"', 'a caption starting with "-" after --'],
      ]),
    )
    .action(async (texts: string[], _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      if (options.file !== undefined && texts.length > 0) {
        throw new UsageError('give captions either as arguments or with --file, not both');
      }
      if (options.file === undefined && texts.length === 0) {
        throw new UsageError('no captions: give them as arguments or with --file <path>');
      }
      const captions = options.file === undefined ? texts : readCaptionsFile(options.file);
      const { ClipTokenizer } = await import('@ratlip/clip');
      const tokenizer = await ClipTokenizer.load();
      if (!options.truncate) {
        captions.forEach((caption, index) => {
          const length = tokenizer.encode(caption).length + 2;
          if (length > options.context) {
            const where =
              options.file === undefined ? `caption ${index + 1}` : `line ${index + 1} of ${options.file}`;
            throw new CliFailure(
              `${where} is ${length} tokens with its start and end markers, longer than the context of ` +
                `${options.context} (without --no-truncate it is cut)`,
            );
          }
        });
      }
      const { ids, count, contextLength } = tokenizer.tokenize(captions, {
        contextLength: options.context,
        truncate: true,
      });
      for (let start = 0; start < count; start += ROWS_PER_WRITE) {
        const lines: string[] = [];
        for (let row = start; row < Math.min(count, start + ROWS_PER_WRITE); row++) {
          lines.push(`[${ids.subarray(row * contextLength, (row + 1) * contextLength).join(',')}]\n`);
        }
        context.io.stdout.write(lines.join(''));
      }
    });
