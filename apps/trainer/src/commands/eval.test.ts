import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShapesDataset } from '@ratlip/datasets';
import {
  FeatureStatisticsAccumulator,
  type GaussianStatistics,
  INCEPTION_FEATURE_DIM,
  InceptionV3,
  type MetricReport,
  writeStatisticsNpz,
} from '@ratlip/eval';
import { saveSafetensorsFile, withSafetensorsFile } from '@ratlip/runtime/node';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeProceduralInceptionWeights } from '../eval/procedural-inception.test-support';
import { loadRunModel } from '../run/load-run-model';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';
import { trainOneStepRun } from './one-step-run.test-support';

const folder = temporaryFolder('ratlip-eval-');
const run = join(folder, 'run');
const weights = join(folder, 'inception.safetensors');
const statsPath = join(folder, 'reference.npz');

/** Images per evaluation: KID and FID need at least 2. */
const SAMPLES = 2;

/** Reference statistics of a known Gaussian: mean 0.1 and covariance 0.01 I in the 2048-d feature space. */
function referenceStatistics(dim: number): GaussianStatistics {
  const covariance = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) covariance[i * dim + i] = 0.01;
  return { dim, mean: new Float64Array(dim).fill(0.1), covariance };
}

function evalLines(): Array<{ step: number; by: string; metrics: MetricReport[] }> {
  return readFileSync(join(run, 'eval.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  await writeProceduralInceptionWeights(weights);
  writeFileSync(statsPath, writeStatisticsNpz(referenceStatistics(INCEPTION_FEATURE_DIM)));
  await trainOneStepRun(run, SAMPLES);
});

describe('ratlip eval fid and kid (procedural Inception-v3, wasm)', () => {
  it('computes FID against --stats and KID against held-out Shapes images, appending eval.jsonl', async () => {
    const before = evalLines().length;
    const result = await runCaptured([
      'eval',
      run,
      '--metrics',
      'fid,kid,shapes-alignment',
      '--samples',
      String(SAMPLES),
      '--batch-size',
      String(SAMPLES),
      '--stats',
      statsPath,
      '--inception-weights',
      weights,
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout) as { samples: number; metrics: MetricReport[] };
    expect(record.samples).toBe(SAMPLES);
    const [fid, kid] = record.metrics;
    expect(fid).toMatchObject({ metric: 'fid', sampleCount: SAMPLES });
    expect(fid!.settings).toMatchObject({ reference: statsPath, featureConvention: 'pytorch-fid' });
    expect(kid).toMatchObject({ metric: 'kid', sampleCount: SAMPLES });
    expect(kid!.settings).toMatchObject({ referenceSamples: SAMPLES, subsetSize: SAMPLES });
    expect(String(kid!.settings['reference'])).toContain('shapes (heldout split)');
    expect(Number.isFinite(kid!.value)).toBe(true);
    expect(evalLines()).toHaveLength(before + 1);

    // The same figure from the generated images recomputed here: held-out captions, noise seed 0.
    const loaded = await loadRunModel(run);
    const extractor = withSafetensorsFile(weights, (file) =>
      InceptionV3.fromStateDict(
        {
          source: weights,
          has: (n) => file.has(n),
          shape: (n) => file.entry(n).shape,
          float32: (n) => file.float32(n),
        },
        { convention: 'pytorch-fid' },
      ),
    );
    const dataset = new ShapesDataset({ split: 'heldout', imageSize: loaded.config.imageSize });
    const captions = await Promise.all(
      Array.from({ length: SAMPLES }, async (_, index) => (await dataset.loadCaptions(index))[0]!),
    );
    const features = tf.tidy(() => {
      const images = loaded.model.generate({ texts: captions, seed: 0 });
      return extractor.extract(tf.div(tf.add(tf.clipByValue(images, -1, 1), 1), 2) as tf.Tensor4D);
    });
    const accumulator = new FeatureStatisticsAccumulator(extractor.dim);
    accumulator.add(features.dataSync());
    tf.dispose(features);
    extractor.dispose();
    loaded.dispose();
    // Mean and trace terms checked against these features (a second eigendecomposition would be slow).
    const generated = accumulator.finish();
    const reference = referenceStatistics(INCEPTION_FEATURE_DIM);
    let meanTerm = 0;
    let traceTerm = 0;
    for (let i = 0; i < generated.dim; i++) {
      meanTerm += (generated.mean[i]! - reference.mean[i]!) ** 2;
      traceTerm +=
        generated.covariance[i * generated.dim + i]! + reference.covariance[i * generated.dim + i]!;
    }
    const { settings } = fid!;
    expect(Math.abs(Number(settings['meanTerm']) - meanTerm)).toBeLessThanOrEqual(1e-6 * meanTerm);
    expect(Math.abs(Number(settings['traceTerm']) - traceTerm)).toBeLessThanOrEqual(1e-6 * traceTerm);
    const crossTerm = Number(settings['crossTerm']);
    expect(fid!.value).toBeCloseTo(meanTerm + traceTerm - 2 * crossTerm, 6);
  });

  it('takes KID reference images from a --reference dataset spec', async () => {
    const result = await runCaptured([
      'eval',
      run,
      '--metrics',
      'kid',
      '--samples',
      String(SAMPLES),
      '--inception-weights',
      weights,
      '--reference',
      'shapes:seed=3',
      '--reference-split',
      'test',
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [kid] = (JSON.parse(result.stdout) as { metrics: MetricReport[] }).metrics;
    expect(String(kid!.settings['reference'])).toContain('shapes:seed=3 (test split)');
  });
});

/** `ratlip eval <source> --metrics clip-score --samples SAMPLES --backend wasm --json` with `extra` options. */
function evaluateClipScore(source: string, extra: string[]) {
  return runCaptured([
    'eval',
    source,
    '--metrics',
    'clip-score',
    '--samples',
    String(SAMPLES),
    '--backend',
    'wasm',
    ...extra,
    '--json',
  ]);
}

describe('ratlip eval of a trained run', () => {
  it('returns the evaluation training already made instead of repeating it, and evaluates checkpoints/best', async () => {
    const before = evalLines();
    expect(before.filter((record) => record.by === 'training').map((record) => record.step)).toEqual([1]);
    const again = await runCaptured([
      'eval',
      run,
      '--samples',
      String(SAMPLES),
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ by: 'training', step: 1 });
    expect(evalLines()).toHaveLength(before.length);
    const evaluate = (source: string, batchSize: number) =>
      evaluateClipScore(source, ['--seed', '1', '--batch-size', String(batchSize)]);
    const best = await evaluate(join(run, 'checkpoints', 'best'), SAMPLES);
    expect(best.stderr).toBe('');
    expect(best.code).toBe(0);
    const bestRecord = JSON.parse(best.stdout) as { by: string; step: number; metrics: MetricReport[] };
    expect(bestRecord).toMatchObject({ by: 'ratlip eval', step: 1 });
    // The best is the step-1 checkpoint, and one noise stream makes the figure independent of the batch size.
    const newest = await evaluate(run, 1);
    expect(newest.code).toBe(0);
    const newestRecord = JSON.parse(newest.stdout) as { metrics: MetricReport[] };
    expect(newestRecord.metrics[0]!.value).toBeCloseTo(bestRecord.metrics[0]!.value, 5);
    expect(evalLines()).toHaveLength(before.length + 2);
  });
});

describe('ratlip eval --weights', () => {
  it('evaluates the training weights instead of the moving average, and says so in the record', async () => {
    const averaged = join(folder, 'averaged');
    const trained = await runCaptured([
      'train',
      '--steps',
      '2',
      '--batch-size',
      '2',
      '--backend',
      'wasm',
      '--eval-samples',
      '0',
      '--ema-decay',
      '0.5',
      '--out',
      averaged,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const evaluate = async (source: string, weights: string) => {
      const result = await evaluateClipScore(source, ['--weights', weights]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { weights?: string; metrics: MetricReport[] };
    };
    const average = await evaluate(averaged, 'average');
    const training = await evaluate(averaged, 'training');
    expect(average.weights).toBeUndefined();
    expect(training.weights).toBe('training');
    expect(training.metrics[0]!.value).not.toBeCloseTo(average.metrics[0]!.value, 5);
    // Without a moving average both are the same weights, and the record says nothing.
    const plain = await evaluate(run, 'training');
    expect(plain.weights).toBeUndefined();
    expect(plain.metrics[0]!.value).toBeCloseTo((await evaluate(run, 'average')).metrics[0]!.value, 5);
    const bad = await runCaptured(['eval', run, '--weights', 'ema']);
    expect(bad.code).toBe(2);
    expect(errorLine(bad)).toContain("--weights: expected one of average, training, got 'ema'");
  });
});

describe('ratlip eval errors (one line, before any image is generated)', () => {
  const base = () => ['eval', run, '--samples', String(SAMPLES), '--backend', 'wasm'];

  it.each([
    [
      ['--metrics', 'fid', '--stats', statsPath],
      '--inception-weights: required for fid: Inception-v3 weights',
    ],
    [['--metrics', 'kid,clip-score'], '--inception-weights: required for kid'],
    [
      ['--metrics', 'fid,kid', '--inception-weights', weights],
      '--stats: required for fid: reference statistics',
    ],
    [
      ['--metrics', 'fidd'],
      '--metrics: expected a comma-separated list of fid, kid, clip-score, shapes-alignment',
    ],
  ])('rejects %j with exit code 2', async (args, message) => {
    const result = await runCaptured([...base(), ...args]);
    expect(result.code).toBe(2);
    expect(errorLine(result)).toContain(`ratlip eval: ${message}`);
  });

  it('names a missing or wrong-width statistics file and an unusable weights file (exit 1)', async () => {
    const narrow = join(folder, 'narrow.npz');
    writeFileSync(narrow, writeStatisticsNpz(referenceStatistics(8)));
    const wrongShape = join(folder, 'wrong-shape.safetensors');
    await saveSafetensorsFile(wrongShape, {
      'Conv2d_1a_3x3.conv.weight': { dtype: 'F32', shape: [32, 3, 3, 1], data: new Float32Array(288) },
      'fc.weight': { dtype: 'F32', shape: [1008, 1], data: new Float32Array(1008) },
    });
    const notWeights = join(folder, 'notes.txt');
    writeFileSync(notWeights, 'not a weights file\n');
    const cases: Array<[string[], string]> = [
      [
        ['--metrics', 'fid', '--stats', join(folder, 'missing.npz'), '--inception-weights', weights],
        `statistics file not found: ${join(folder, 'missing.npz')}`,
      ],
      [
        ['--metrics', 'fid', '--stats', narrow, '--inception-weights', weights],
        `--stats ${narrow}: holds 8-d statistics (mu [8]), but FID uses Inception-v3 pool3 features: expected mu [2048]`,
      ],
      [
        ['--metrics', 'kid', '--inception-weights', wrongShape],
        `'Conv2d_1a_3x3.conv.weight' has shape [32, 3, 3, 1], expected [32, 3, 3, 3]`,
      ],
      [['--metrics', 'kid', '--inception-weights', notWeights], 'not a safetensors or torch .pth file'],
      [
        ['--metrics', 'kid', '--inception-weights', weights, '--reference', 'cats:x'],
        "--reference: unknown dataset kind 'cats'",
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCaptured([...base(), ...args]);
      expect(errorLine(result), args.join(' ')).toContain(message);
      expect(result.code, args.join(' ')).toBe(message.startsWith('--reference') ? 2 : 1);
    }
  });
});
