import type { Command } from 'commander';
import { z } from 'zod';
import { CliFailure } from '../cli-errors';
import { parseOptions } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const optionsSchema = z.object({ json: z.boolean().optional() });

/** `ratlip fid score`: the Fréchet distance between two statistics files. */
export const registerFidScore: CommandRegistrar = (parent, context) =>
  parent
    .command('score')
    .description(
      'print the Fréchet Inception Distance between two statistics files (.npz with mu [d] and sigma [d, d]) in full float64 precision',
    )
    .argument('<a.npz>', 'first statistics file, e.g. an official bird_val256_FIDK0.npz')
    .argument('<b.npz>', 'second statistics file, e.g. from ratlip fid stats')
    .option('--json', 'print {"fid": distance, "a": file, "b": file}')
    .addHelpText(
      'after',
      `
The distance is |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr(sqrt(sqrt(S_a) S_b sqrt(S_a))), computed in
float64 with symmetric eigendecompositions (exact for singular covariances).
${examplesHelp([
  ['ratlip fid score bird_val256_FIDK0.npz fakes.npz', 'prints e.g. 10.081234567891234'],
  ['ratlip fid score real.npz fakes.npz --json', 'prints {"fid":10.08...,"a":"real.npz","b":"fakes.npz"}'],
])}`,
    )
    .action(async (first: string, second: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      const { readStatisticsFile } = await import('../fid/statistics-file');
      const a = readStatisticsFile(first);
      const b = readStatisticsFile(second);
      if (a.dim !== b.dim) {
        throw new CliFailure(
          `${first} holds ${a.dim}-d statistics but ${second} holds ${b.dim}-d: they come from different feature extractors`,
        );
      }
      const { frechetDistance } = await import('@ratlip/eval');
      const fid = frechetDistance(a, b).value;
      context.io.stdout.write(
        options.json ? `${JSON.stringify({ fid, a: first, b: second })}\n` : `${String(fid)}\n`,
      );
    });
