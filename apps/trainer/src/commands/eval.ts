import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requireFile, requirePath } from '../options/input-files';
import { integerValue, parseOptions, textValue } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

/** Metrics `--metrics` accepts. */
const METRICS = ['fid', 'kid', 'clip-score', 'shapes-alignment'] as const;

const metricList = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim()))
  .pipe(
    z.array(z.enum(METRICS, { error: `expected a comma-separated list of ${METRICS.join(', ')}` })).min(1),
  );

const optionsSchema = z.object({
  metrics: metricList.default(['shapes-alignment']),
  samples: integerValue(2).default(1000),
  stats: textValue('a statistics .npz').optional(),
  inceptionWeights: textValue('a weights file').optional(),
  clipWeights: textValue('a weights file').optional(),
  seed: integerValue(0, 2 ** 32 - 1).default(0),
  backend: backendValue().default('auto'),
});

/** `ratlip eval`: metrics of a trained generator (lands with the GAN and packages/eval). */
export const registerEval: CommandRegistrar = (parent) =>
  parent
    .command('eval')
    .description('evaluate a trained run or checkpoint: FID, KID, CLIP score, Shapes alignment')
    .argument('<run-or-checkpoint>', 'a run folder or a checkpoint folder')
    .option('--metrics <list>', `comma-separated: ${METRICS.join(', ')} (default: shapes-alignment)`)
    .option('--samples <n>', 'images generated for the metrics (default: 1000)')
    .option('--stats <file.npz>', 'real statistics for FID (mu, sigma), e.g. from ratlip fid stats')
    .option('--inception-weights <file>', 'Inception-v3 weights for FID and KID')
    .option('--clip-weights <file>', 'CLIP weights for the CLIP score')
    .option('--seed <n>', 'noise and caption seed (default: 0)')
    .option('--backend <name>', BACKEND_HELP)
    .addHelpText(
      'after',
      examplesHelp([
        ['ratlip eval runs/shapes-generator', 'Shapes alignment per attribute on held-out captions'],
        [
          'ratlip eval runs/birds --metrics fid,clip-score --samples 30000 --stats bird_val256_FIDK0.npz --inception-weights inception.safetensors --clip-weights ViT-B-32.safetensors',
          'FID and CLIP score as the paper reports them',
        ],
      ]),
    )
    .action(async (source: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      requirePath(source, 'run or checkpoint');
      for (const file of [options.stats, options.inceptionWeights, options.clipWeights]) {
        if (file !== undefined) requireFile(file);
      }
      throw new NotYetImplementedError(
        'evaluating a generator',
        'issue 5 (packages/ratlip-gan: the generator) and issue 8 (packages/eval: the metrics)',
      );
    });
