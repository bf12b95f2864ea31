import { useBackend } from '@ratlip/runtime';
import type { Command } from 'commander';
import { z } from 'zod';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { checkDatasetOption } from '../options/dataset-option';
import { requireFile, requirePath } from '../options/input-files';
import { choiceValue, integerValue, parseOptions, textValue } from '../options/option-values';
import { DEFAULT_EVAL_BATCH, describeEvaluation, EVAL_METRICS, evaluateRun } from '../run/evaluate-run';
import { type CommandRegistrar, examplesHelp } from './command-context';

const metricList = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim()))
  .pipe(
    z
      .array(z.enum(EVAL_METRICS, { error: `expected a comma-separated list of ${EVAL_METRICS.join(', ')}` }))
      .min(1),
  );

const optionsSchema = z.object({
  metrics: metricList.default(['shapes-alignment']),
  samples: integerValue(2).default(1000),
  dataset: textValue('a dataset spec kind:path').optional(),
  stats: textValue('a statistics .npz').optional(),
  inceptionWeights: textValue('a weights file').optional(),
  inception: choiceValue(['auto', 'fid', 'torchvision']).default('auto'),
  reference: textValue('an image folder or a dataset spec').optional(),
  referenceSplit: textValue('a split name').optional(),
  referenceSamples: integerValue(2).optional(),
  clipWeights: textValue('a weights file').optional(),
  batchSize: integerValue(1, 1024).default(DEFAULT_EVAL_BATCH),
  seed: integerValue(0, 2 ** 32 - 1).default(0),
  backend: backendValue().default('auto'),
  json: z.boolean().optional(),
  weights: choiceValue(['average', 'training']).default('average'),
});

/** `ratlip eval`: FID, KID, CLIP score and Shapes alignment of a trained generator, appended to the run's `eval.jsonl`. */
export const registerEval: CommandRegistrar = (parent, context) =>
  parent
    .command('eval')
    .description('evaluate a trained run or checkpoint: FID, KID, CLIP score, Shapes alignment')
    .argument(
      '<run-or-checkpoint>',
      'a run folder (its newest checkpoint) or a checkpoint folder such as <run>/checkpoints/best',
    )
    .option('--metrics <list>', `comma-separated: ${EVAL_METRICS.join(', ')} (default: shapes-alignment)`)
    .option('--samples <n>', 'images generated for the metrics (default: 1000)')
    .option(
      '--dataset <kind:path>',
      "captions (and the default KID reference) from this dataset's evaluation split (default: the run's dataset)",
    )
    .option(
      '--stats <file.npz>',
      'FID reference statistics (mu [2048], sigma [2048, 2048]) from ratlip fid stats or an official *_FIDK0.npz (required for fid)',
    )
    .option(
      '--inception-weights <file>',
      'Inception-v3 weights for FID and KID, .safetensors or torch .pth (required for fid and kid)',
    )
    .option(
      '--inception <kind>',
      'fid (pytorch-fid) or torchvision (ImageNet); auto tells them apart by fc.weight (default: auto)',
    )
    .option(
      '--reference <images>',
      "KID real images: a folder (any depth) or a dataset kind:path (default: the run's dataset)",
    )
    .option(
      '--reference-split <name>',
      'split of a reference dataset (default: heldout for Shapes, test otherwise)',
    )
    .option('--reference-samples <n>', 'real images for KID (default: --samples)')
    .option('--clip-weights <file>', 'CLIP weights for the CLIP score')
    .option('--batch-size <n>', `images per generator and Inception call (default: ${DEFAULT_EVAL_BATCH})`)
    .option('--seed <n>', 'noise and caption seed (default: 0)')
    .option('--json', 'print the eval.jsonl record instead of the table')
    .option(
      '--weights <which>',
      "average: the generator's moving average when the checkpoint keeps one, as sample and the playground use; training: the weights training updates, which the average lags by about 1 / (1 - decay) steps (default: average)",
    )
    .option('--backend <name>', BACKEND_HELP)
    .addHelpText(
      'after',
      `
Captions come from the evaluation split of the run's dataset (Shapes: heldout, compositions never
seen in training; other datasets: test). FID and KID run generated and real images through the same
Inception-v3 (resized bilinearly to 299 x 299); both are biased or noisy at small --samples.
${examplesHelp([
  ['ratlip eval runs/shapes-generator', 'Shapes alignment per attribute on held-out captions'],
  [
    'ratlip eval runs/shapes-generator/checkpoints/best --metrics shapes-alignment,kid --samples 500 --inception-weights pt_inception.safetensors',
    'the best checkpoint, with KID against held-out Shapes images',
  ],
  [
    'ratlip eval runs/birds --metrics fid,kid --samples 30000 --stats bird_val256_FIDK0.npz --inception-weights inception_v3_google-0cc3c7bd.pth --reference birds:data/birds',
    'FID as the paper reports it, and KID against the CUB test images',
  ],
])}`,
    )
    .action(async (source: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      requirePath(source, 'run or checkpoint');
      for (const [file, what] of [
        [options.stats, 'statistics file'],
        [options.inceptionWeights, 'weights file'],
        [options.clipWeights, 'weights file'],
      ] as const) {
        if (file !== undefined) requireFile(file, what);
      }
      if (options.dataset !== undefined) await checkDatasetOption(options.dataset, '--dataset');
      await useBackend(options.backend);
      const progress = context.io.stderr;
      const record = await evaluateRun({
        source,
        metrics: options.metrics,
        samples: options.samples,
        seed: options.seed,
        batchSize: options.batchSize,
        weights: options.weights,
        ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
        ...(options.stats !== undefined ? { statistics: options.stats } : {}),
        ...(options.inceptionWeights !== undefined
          ? { inceptionWeights: { path: options.inceptionWeights, convention: options.inception } }
          : {}),
        ...(options.reference !== undefined ? { reference: options.reference } : {}),
        ...(options.referenceSplit !== undefined ? { referenceSplit: options.referenceSplit } : {}),
        ...(options.referenceSamples !== undefined ? { referenceSamples: options.referenceSamples } : {}),
        onProgress: ({ samples, expectedSamples }) => {
          if (progress.isTTY) progress.write(`\r${samples}/${expectedSamples ?? '?'} images`);
        },
      });
      if (progress.isTTY) progress.write('\n');
      const text = options.json ? JSON.stringify(record) : describeEvaluation(record).join('\n');
      context.io.stdout.write(`${text}\n`);
    });
