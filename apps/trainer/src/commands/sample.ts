import { join } from 'node:path';
import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requireFile, requirePath } from '../options/input-files';
import { integerValue, parseOptions, textValue } from '../options/option-values';
import { loadRunModel } from '../run/load-run-model';
import { writeImageGrid, writeSinglePngs } from '../run/png-images';
import { resolveCheckpoint } from '../run/run-folder';
import { SHIPPED_GENERATOR, trainerAssetsFolder } from '../run/trainer-assets';
import { readCaptionsFile } from '../tokenize/read-captions-file';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({
  text: z.array(z.string()).optional(),
  captions: textValue('a captions file').optional(),
  count: integerValue(1, 10_000).default(1),
  seed: integerValue(0, 2 ** 32 - 1).default(0),
  out: textValue('a folder').optional(),
  backend: backendValue().default('auto'),
});

/**
 * `ratlip sample`: images from a trained generator: `grid.png` (one row per caption, `--count` columns)
 * and `<caption>-<image>.png`; image j of every caption uses noise row j of `--seed`, so runs repeat exactly.
 */
export const registerSample: CommandRegistrar = (parent, context) =>
  parent
    .command('sample')
    .description('generate images for captions with a trained run or checkpoint: a PNG grid and single PNGs')
    .argument(
      '[run-or-checkpoint]',
      'a run folder (its newest checkpoint) or a checkpoint folder (e.g. <run>/checkpoints/best); default: the shipped Shapes generator',
    )
    .option('--text <caption...>', 'one or more captions')
    .option('--captions <file>', 'captions from a text file, one per line')
    .option('--count <n>', 'images per caption (default: 1)')
    .option('--seed <n>', 'noise seed, 0 to 2^32-1 (default: 0)')
    .option('--out <dir>', 'output folder (default: <run>/samples, or ./samples for the shipped generator)')
    .option('--backend <name>', BACKEND_HELP)
    .addHelpText(
      'after',
      examplesHelp([
        [
          'ratlip sample --text "a small red circle in the top left" --count 8',
          'the shipped Shapes generator',
        ],
        [
          'ratlip sample runs/shapes-generator --text "a red circle on the left" --count 8',
          'eight images of one caption',
        ],
        [
          'ratlip sample runs/shapes-generator --captions captions.txt --out samples',
          'one image per line of a file',
        ],
      ]),
    )
    .action(async (given: string | undefined, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      if (options.text === undefined && options.captions === undefined) {
        throw new UsageError('no captions: give --text <caption...> or --captions <file>');
      }
      if (options.text !== undefined && options.captions !== undefined) {
        throw new UsageError('give captions either with --text or with --captions, not both');
      }
      const source = given ?? join(trainerAssetsFolder(), SHIPPED_GENERATOR);
      requirePath(source, given === undefined ? 'shipped generator' : 'run or checkpoint');
      if (options.captions !== undefined) requireFile(options.captions, 'captions file');
      const captions = options.text ?? readCaptionsFile(options.captions!);
      if (captions.length === 0) throw new UsageError('no captions: the captions are empty');
      resolveCheckpoint(source);
      await useBackend(options.backend);
      const out = options.out ?? (given === undefined ? 'samples' : join(source, 'samples'));
      const loaded = await loadRunModel(source);
      try {
        const perCaption = captions.map((caption) =>
          loaded.model.generate({ texts: [caption], seed: options.seed, count: options.count }),
        );
        const all = tf.concat(perCaption, 0);
        tf.dispose(perCaption);
        try {
          await writeImageGrid(join(out, 'grid.png'), all, options.count);
          const digits = (value: number) => String(value).padStart(3, '0');
          await writeSinglePngs(all, (index) =>
            join(out, `${digits(Math.floor(index / options.count))}-${digits(index % options.count)}.png`),
          );
        } finally {
          all.dispose();
        }
      } finally {
        loaded.dispose();
      }
      context.io.stdout.write(
        `${JSON.stringify({ out, grid: join(out, 'grid.png'), images: captions.length * options.count, step: loaded.state.step })}\n`,
      );
    });
