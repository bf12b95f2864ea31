import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';
import type { ResolvedTrainConfig } from '../train/train-config';
import { DEFAULT_PRESET, TRAIN_PRESETS } from '../train/train-presets';

const folder = temporaryFolder();

function file(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

async function printConfig(args: readonly string[]): Promise<ResolvedTrainConfig> {
  const run = await runCaptured(['train', ...args, '--print-config']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ResolvedTrainConfig;
}

describe('ratlip train option resolution', () => {
  it('defaults to the shapes preset with a time budget and a dated run folder', async () => {
    const config = await printConfig([]);
    expect(config).toMatchObject({
      preset: 'shapes',
      dataset: 'shapes',
      steps: null,
      minutes: 10,
      batchSize: 8,
      backend: 'auto',
      seed: 0,
      resume: null,
    });
    expect(config.out).toMatch(/^runs[/\\]shapes-\d{8}-\d{6}$/);
  });

  it('takes options over a YAML config over the preset; a budget replaces the lower budget', async () => {
    const yaml = file(
      'run.yaml',
      'preset: shapes-long\nbatchSize: 8\nseed: 7\nminutes: 30\nout: runs/from-file\n',
    );
    const config = await printConfig(['--config', yaml, '--seed', '9', '--steps', '500', '--backend', 'cpu']);
    const {
      sampleEvery,
      checkpointEvery,
      keepCheckpoints,
      evalSamples,
      evalEvery,
      emaDecay,
      hardNegativeGroup,
      clipContrastWeight,
      clipContrasts,
      hardMismatch,
      reconstructionWeight,
      reconstructionForeground,
      reconstructionForegroundOf,
    } = TRAIN_PRESETS['shapes-long']!;
    expect(config).toEqual({
      preset: 'shapes-long',
      dataset: 'shapes',
      out: 'runs/from-file',
      steps: 500,
      minutes: null,
      batchSize: 8,
      backend: 'cpu',
      seed: 9,
      sampleEvery,
      checkpointEvery,
      keepCheckpoints,
      evalSamples,
      evalEvery,
      emaDecay: emaDecay ?? null,
      generatorLearningRate: null,
      discriminatorLearningRate: null,
      workers: 1,
      hardNegativeGroup: hardNegativeGroup ?? 0,
      clipContrastWeight: clipContrastWeight ?? 0,
      clipContrasts: clipContrasts ?? 8,
      hardMismatch: hardMismatch ?? false,
      reconstructionWeight: reconstructionWeight ?? 0,
      reconstructionForeground: reconstructionForeground ?? 1,
      reconstructionForegroundOf: reconstructionForegroundOf ?? 'real',
      initFrom: null,
      resume: null,
    });
  });

  it('reads JSON configs and a dataset option', async () => {
    const json = file(
      'run.json',
      JSON.stringify({ steps: 100, minutes: 5, dataset: 'shapes:imageSize=32', evalEvery: 0 }),
    );
    const config = await printConfig(['--config', json, '--batch-size', '4', '--out', join(folder, 'run')]);
    expect(config).toMatchObject({
      steps: 100,
      minutes: 5,
      dataset: 'shapes:imageSize=32',
      batchSize: 4,
      evalEvery: 0,
    });
  });

  it('leaves the generator average to the model unless --ema-decay or the preset sets one', async () => {
    expect((await printConfig([])).emaDecay).toBe(TRAIN_PRESETS.shapes!.emaDecay ?? null);
    expect((await printConfig(['--ema-decay', '0'])).emaDecay).toBe(0);
    const yaml = file('ema.yaml', 'emaDecay: 0.99\n');
    expect((await printConfig(['--config', yaml])).emaDecay).toBe(0.99);
  });

  it('leaves the learning rates to the model unless the options or a config file set them', async () => {
    expect(await printConfig([])).toMatchObject({
      generatorLearningRate: null,
      discriminatorLearningRate: null,
    });
    const options = ['--generator-learning-rate', '2.5e-5', '--discriminator-learning-rate', '0.0001'];
    expect(await printConfig(options)).toMatchObject({
      generatorLearningRate: 2.5e-5,
      discriminatorLearningRate: 1e-4,
    });
    const yaml = file('rates.yaml', 'generatorLearningRate: 0.0002\n');
    expect(await printConfig(['--config', yaml])).toMatchObject({
      generatorLearningRate: 2e-4,
      discriminatorLearningRate: null,
    });
  });

  it('keeps the official generator loss unless a contrastive CLIP weight is set', async () => {
    expect(await printConfig([])).toMatchObject({ clipContrastWeight: 0, clipContrasts: 8 });
    const yaml = file('contrast.yaml', 'clipContrastWeight: 2\nclipContrasts: 3\n');
    expect(await printConfig(['--config', yaml, '--clip-contrasts', '5'])).toMatchObject({
      clipContrastWeight: 2,
      clipContrasts: 5,
    });
  });

  it('keeps the official generator loss unless a reconstruction weight is set', async () => {
    const defaults = TRAIN_PRESETS[DEFAULT_PRESET]!;
    expect(await printConfig([])).toMatchObject({
      reconstructionWeight: defaults.reconstructionWeight ?? 0,
      reconstructionForeground: defaults.reconstructionForeground ?? 1,
      reconstructionForegroundOf: defaults.reconstructionForegroundOf ?? 'real',
    });
    const yaml = file(
      'paired.yaml',
      'reconstructionWeight: 10\nreconstructionForeground: 20\nreconstructionForegroundOf: both\n',
    );
    expect(await printConfig(['--config', yaml, '--reconstruction-foreground', '5'])).toMatchObject({
      reconstructionWeight: 10,
      reconstructionForeground: 5,
      reconstructionForegroundOf: 'both',
    });
    expect(
      (await printConfig(['--config', yaml, '--reconstruction-foreground-of', 'real']))
        .reconstructionForegroundOf,
    ).toBe('real');
  });

  it('resumes with the run folder config, taking only a new budget and backend', async () => {
    const run = join(folder, 'existing-run');
    mkdirSync(run);
    writeFileSync(
      join(run, 'config.json'),
      JSON.stringify({
        preset: 'shapes',
        dataset: 'shapes',
        batchSize: 16,
        seed: 3,
        minutes: 10,
        steps: null,
      }),
    );
    const config = await printConfig([
      '--resume',
      run,
      '--minutes',
      '60',
      '--ema-decay',
      '0.998',
      '--hard-negative-group',
      '2',
      '--clip-contrast-weight',
      '0.5',
      '--clip-contrasts',
      '4',
      '--reconstruction-weight',
      '3',
      '--generator-learning-rate',
      '5e-5',
    ]);
    expect(config).toEqual({
      preset: 'shapes',
      dataset: 'shapes',
      out: run,
      steps: null,
      minutes: 60,
      batchSize: 16,
      backend: 'auto',
      seed: 3,
      sampleEvery: 25,
      checkpointEvery: 50,
      keepCheckpoints: 3,
      evalSamples: 200,
      evalEvery: 200,
      emaDecay: 0.998,
      generatorLearningRate: 5e-5,
      discriminatorLearningRate: null,
      workers: 1,
      hardNegativeGroup: 2,
      clipContrastWeight: 0.5,
      clipContrasts: 4,
      hardMismatch: false,
      reconstructionWeight: 3,
      reconstructionForeground: 1,
      reconstructionForegroundOf: 'real',
      initFrom: null,
      resume: run,
    });
  });
});

describe('ratlip train errors', () => {
  it.each([
    [['--steps', '0'], "--steps: expected an integer >= 1, got '0'"],
    [['--steps', 'ten'], "--steps: expected an integer >= 1, got 'ten'"],
    [['--minutes', '-5'], "--minutes: expected a number > 0, got '-5'"],
    [['--batch-size', '1.5'], "--batch-size: expected an integer in [1, 65536], got '1.5'"],
    [['--seed', '-1'], "--seed: expected an integer in [0, 4294967295], got '-1'"],
    [['--workers', '0'], "--workers: expected 'auto' or an integer in [1, 64], got '0'"],
    [['--ema-decay', '1'], "--ema-decay: expected a number >= 0 and < 1, got '1'"],
    [['--generator-learning-rate', '0'], "--generator-learning-rate: expected a number > 0, got '0'"],
    [
      ['--discriminator-learning-rate', 'fast'],
      "--discriminator-learning-rate: expected a number > 0, got 'fast'",
    ],
    [['--clip-contrast-weight', '-1'], "--clip-contrast-weight: expected a number >= 0, got '-1'"],
    [['--clip-contrasts', '0'], "--clip-contrasts: expected an integer in [1, 1024], got '0'"],
    [['--reconstruction-weight', '-2'], "--reconstruction-weight: expected a number >= 0, got '-2'"],
    [['--reconstruction-foreground', '0'], "--reconstruction-foreground: expected a number > 0, got '0'"],
    [
      ['--reconstruction-foreground-of', 'fake'],
      "--reconstruction-foreground-of: expected one of real, both, got 'fake'",
    ],
    [
      ['--backend', 'webgpu'],
      "--backend: expected one of auto, tensorflow, tensorflow-gpu, wasm, cpu, got 'webgpu'",
    ],
    [
      ['--preset', 'huge'],
      "--preset: expected one of shapes, shapes-long, shapes-words, shapes-places, shapes-context, shapes-phrases, got 'huge'",
    ],
    [
      ['--resume', 'runs/x', '--init-from', 'runs/y'],
      "--resume continues with the run's own config.json; drop --init-from",
    ],
    [['--dataset', 'cats:data'], "--dataset: unknown dataset kind 'cats' in 'cats:data'; known kinds: birds"],
    [['--dataset', 'birds'], "--dataset: dataset kind 'birds' needs a path: birds:<path>"],
    [['--resume', 'runs/x', '--seed', '1'], "--resume continues with the run's own config.json; drop --seed"],
    [
      ['--stepz', '5'],
      "unknown option '--stepz' (Did you mean --steps?) (options: --preset <name>, --config <file>",
    ],
    [['extra'], "too many arguments for 'train'"],
  ])('rejects %j with exit code 2', async (args, message) => {
    const run = await runCaptured(['train', ...args]);
    expect(run.code).toBe(2);
    const line = errorLine(run);
    expect(line.startsWith(`ratlip train: ${message}`)).toBe(true);
  });

  it('rejects bad config files: unknown setting and invalid value (exit 2)', async () => {
    const unknown = file('unknown.yaml', 'batchsize: 8\n');
    const run = await runCaptured(['train', '--config', unknown]);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe(
      `ratlip train: ${unknown}: unknown setting 'batchsize'; allowed: preset, dataset, out, steps, minutes, batchSize, backend, seed, sampleEvery, checkpointEvery, keepCheckpoints, evalSamples, evalEvery, emaDecay, generatorLearningRate, discriminatorLearningRate, workers, hardNegativeGroup, clipContrastWeight, clipContrasts, hardMismatch, reconstructionWeight, reconstructionForeground, reconstructionForegroundOf, initFrom`,
    );
    const invalid = file('invalid.json', '{"batchSize": 0}');
    const bad = await runCaptured(['train', '--config', invalid]);
    expect(bad.code).toBe(2);
    expect(errorLine(bad)).toBe(
      `ratlip train: ${invalid}: batchSize: expected an integer in [1, 65536], got 0`,
    );
  });

  it.each([
    ['missing.yaml', undefined, 'config file not found: '],
    ['broken.yaml', 'steps: [1,\n', 'not valid YAML'],
    ['list.json', '[1, 2]', 'expected a mapping of settings at the top level'],
    ['settings.toml', 'steps = 1', "unknown extension '.toml'; expected .json, .yaml, .yml"],
  ])('fails on config file %s with exit code 1', async (name, content, message) => {
    const path = content === undefined ? join(folder, name) : file(name, content);
    const run = await runCaptured(['train', '--config', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain(message);
  });

  it('fails on a dataset path or resume folder that does not exist (exit 1)', async () => {
    const missing = join(folder, 'no-birds');
    const dataset = await runCaptured(['train', '--dataset', `birds:${missing}`]);
    expect(dataset.code).toBe(1);
    expect(errorLine(dataset)).toBe(`ratlip train: --dataset: birds dataset not found: ${missing}`);
    const resume = await runCaptured(['train', '--resume', missing]);
    expect(resume.code).toBe(1);
    expect(errorLine(resume)).toBe(`ratlip train: run folder not found: ${missing}`);
    const notRun = await runCaptured(['train', '--resume', folder]);
    expect(notRun.code).toBe(1);
    expect(errorLine(notRun)).toContain('config.json');
  });
});
