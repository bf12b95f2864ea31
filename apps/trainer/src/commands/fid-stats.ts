import { dirname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliFailure } from '../cli-errors';
import { BACKEND_HELP, backendValue } from '../options/backend-option';
import { requireDirectory } from '../options/input-files';
import { choiceValue, integerValue, parseOptions, textValue } from '../options/option-values';
import { type CommandRegistrar, examplesHelp } from './command-context';

const WEIGHTS_REQUIRED =
  'required: FID needs Inception-v3 weights as .safetensors or .pth (see ratlip fid stats --help)';

const optionsSchema = z.object({
  out: textValue('an output .npz file'),
  weights: z.string({ error: WEIGHTS_REQUIRED }).min(1, { error: WEIGHTS_REQUIRED }),
  inception: choiceValue(['auto', 'fid', 'torchvision']).default('auto'),
  split: textValue('a split name').default('test'),
  limit: integerValue(2).optional(),
  batchSize: integerValue(1, 1024).default(16),
  backend: backendValue().default('auto'),
});

/** Builds the extractor; a weights file it cannot use (missing tensors, wrong shapes) is a {@link CliFailure}. */
function loadExtractor<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw new CliFailure(error instanceof Error ? error.message : String(error));
  }
}

/** `ratlip fid stats`: Inception statistics (mu, sigma) of an image folder or a dataset. */
export const registerFidStats: CommandRegistrar = (parent, context) =>
  parent
    .command('stats')
    .description(
      'compute FID statistics (mu [2048], sigma [2048, 2048], float64 .npz) of an image folder or a dataset',
    )
    .argument(
      '<images>',
      'a folder of images (any depth), or a dataset kind:path such as birds:data/birds or shapes',
    )
    .requiredOption(
      '--out <file.npz>',
      'statistics file to write (numpy loads it; ratlip fid score reads it)',
    )
    .option('--weights <file>', 'Inception-v3 weights, .safetensors or torch .pth (required)')
    .option(
      '--inception <kind>',
      'fid (pytorch-fid, the standard FID network) or torchvision (ImageNet, as DF-GAN/GALIP/RATLIP report FID); auto tells them apart by fc.weight (default: auto)',
    )
    .option('--split <name>', 'dataset split (default: test; ignored for folders)')
    .option('--limit <n>', 'use only the first n images')
    .option('--batch-size <n>', 'images per forward pass (default: 16)')
    .option('--backend <name>', BACKEND_HELP)
    .addHelpText(
      'after',
      `
Weights are supplied by you. pytorch-fid's pt_inception-2015-12-05-6726825d.pth (FID network) and
torchvision's inception_v3_google-0cc3c7bd.pth (ImageNet) load as .pth if saved in PyTorch's zip
format; otherwise convert them with
  python -c "import torch, safetensors.torch as st; st.save_file({k: v.contiguous() for k, v in torch.load('W.pth').items()}, 'inception.safetensors')"
Images are read at their own size and resized bilinearly to 299 x 299. The official *_FIDK0.npz
files used the torchvision network on about 30k augmented test images.
${examplesHelp([
  [
    'ratlip fid stats samples/ --out fakes.npz --weights inception.safetensors',
    'statistics of generated images',
  ],
  [
    'ratlip fid stats birds:data/birds --split test --out birds-test.npz --weights inception_v3_google-0cc3c7bd.pth',
    'the CUB test set',
  ],
  [
    'ratlip fid stats shapes --limit 1000 --out shapes.npz --weights pt_inception.safetensors --inception fid',
    'Shapes',
  ],
])}`,
    )
    .action(async (images: string, _options: unknown, command: Command) => {
      const options = parseOptions(optionsSchema, command);
      requireDirectory(dirname(options.out), 'output folder');
      const { openImageSource } = await import('../fid/image-source');
      const source = await openImageSource(images, options.split);
      const count = Math.min(source.count, options.limit ?? source.count);
      if (count < 2) throw new CliFailure(`${source.description}: FID statistics need at least 2 images`);
      const { inceptionConventionOf, openInceptionWeights } = await import('../fid/inception-weights');
      const weights = openInceptionWeights(options.weights);
      const { computeReferenceStatistics, InceptionV3, writeStatisticsNpz } = await import('@ratlip/eval');
      const { useBackend } = await import('@ratlip/runtime');
      const { writeFileAtomic } = await import('@ratlip/runtime/node');
      const { imageBatches } = await import('../fid/image-batches');
      try {
        const convention = inceptionConventionOf(weights, options.inception);
        await useBackend(options.backend);
        const extractor = loadExtractor(() => InceptionV3.fromStateDict(weights, { convention }));
        try {
          const progress = context.io.stderr;
          const { statistics } = await computeReferenceStatistics({
            batches: imageBatches(source, count, options.batchSize),
            extractor,
            range: 'zero-to-one',
            expectedSamples: count,
            onProgress: ({ samples }) => {
              if (progress.isTTY) progress.write(`\r${samples}/${count} images`);
            },
          });
          if (progress.isTTY) progress.write('\n');
          await writeFileAtomic(options.out, writeStatisticsNpz(statistics));
          context.io.stdout.write(
            `wrote ${options.out}: mu [${statistics.dim}], sigma [${statistics.dim}, ${statistics.dim}] of ${count} images ` +
              `(${convention} Inception-v3, weights ${options.weights})\n`,
          );
        } finally {
          extractor.dispose();
        }
      } finally {
        weights.close();
      }
    });
