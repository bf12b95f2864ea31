import { useBackend } from '@ratlip/runtime';
import type { Command } from 'commander';
import { z } from 'zod';
import { NotYetImplementedError } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requireFile, requirePath } from '../options/input-files';
import { integerValue, parseOptions, textValue } from '../options/option-values';
import { describeEvaluation, evaluateRun, RUN_METRICS, type RunMetric } from '../run/evaluate-run';
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
  json: z.boolean().optional(),
});

/** `ratlip eval`: Shapes alignment and CLIP score of a trained generator on held-out captions, appended to `eval.jsonl`. */
export const registerEval: CommandRegistrar = (parent, context) =>
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
    .option('--json', 'print the eval.jsonl record instead of the table')
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
      const unsupported = options.metrics.filter(
        (metric) => !(RUN_METRICS as readonly string[]).includes(metric),
      );
      if (unsupported.length > 0) {
        throw new NotYetImplementedError(
          `${unsupported.join(', ')} in ratlip eval (use ${RUN_METRICS.join(', ')}; FID statistics: ratlip fid stats/score)`,
          'issue 9',
        );
      }
      await useBackend(options.backend);
      const record = await evaluateRun({
        source,
        metrics: options.metrics as RunMetric[],
        samples: options.samples,
        seed: options.seed,
      });
      const text = options.json ? JSON.stringify(record) : describeEvaluation(record).join('\n');
      context.io.stdout.write(`${text}\n`);
    });
