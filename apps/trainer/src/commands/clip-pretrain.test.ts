import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clipWeightsTokenIds, loadClipWeights } from '@ratlip/clip';
import { SHAPES_KINDS, ShapesDataset } from '@ratlip/datasets';
import { readSafetensors, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../cli-io';
import { readPretrainConfig, resolvePretrainSitting } from '../clip/pretrain-config';
import { LENGTH_ESTIMATE_STEPS } from '../clip/pretrain-presets';
import { runClipPretraining } from '../clip/pretrain-run';
import { listCheckpoints } from '../run/run-folder';
import type { StopSignal } from '../run/train-run';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

const folder = temporaryFolder('ratlip-clip-pretrain-');
/** The micro preset at batch 4: a few steps take seconds on wasm. */
const MICRO = ['--preset', 'shapes-micro', '--batch-size', '4', '--backend', 'wasm', '--eval-images', '6'];

function jsonLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function losses(run: string): Array<[unknown, unknown]> {
  return jsonLines(join(run, 'metrics.jsonl')).map((record) => [record['step'], record['loss']]);
}

function lastLine(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('ratlip clip pretrain (micro preset, wasm)', () => {
  const whole = join(folder, 'whole');

  it('writes config, metrics, checkpoints, compact weights and zero-shot records, with no tensor left behind', async () => {
    const before = tf.memory().numTensors;
    const run = await runCaptured([
      'clip',
      'pretrain',
      ...MICRO,
      '--steps',
      '3',
      '--eval-every',
      '2',
      '--checkpoint-every',
      '2',
      '--out',
      whole,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);

    const config = JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      preset: 'shapes-micro',
      dataset: 'shapes',
      batchSize: 4,
      seed: 0,
      steps: 3,
    });
    expect(config.trainer.schedule.totalSteps).toBe(3);
    expect(config.clip.vision.imageSize).toBe(32);
    // A resumed sitting reads back every setting, none dropped by the schema.
    expect(readPretrainConfig(whole)).toEqual(config);

    const metrics = jsonLines(join(whole, 'metrics.jsonl'));
    expect(metrics.map((record) => record['step'])).toEqual([1, 2, 3]);
    for (const field of ['loss', 'learningRate', 'accuracy', 'stepMs', 'numTensors', 'gradientNorm']) {
      expect(typeof metrics[0]![field], field).toBe('number');
    }
    expect(listCheckpoints(whole).map((entry) => entry.step)).toEqual([2, 3]);

    const zeroShotLog = jsonLines(join(whole, 'zero-shot.jsonl'));
    expect(zeroShotLog.map((record) => record['step'])).toEqual([2]);
    const zeroShot = JSON.parse(readFileSync(join(whole, 'zero-shot.json'), 'utf8'));
    expect(zeroShot).toMatchObject({ step: 3, images: 6, dataset: { split: 'test' } });
    expect(Object.keys(zeroShot.attributes)).toEqual(['colour', 'shape', 'size', 'position']);
    expect(zeroShot.attributes.shape.chance).toBeCloseTo(1 / SHAPES_KINDS.length, 10);
    expect(zeroShot.attributes.size.values).toBe(3);

    const summary = lastLine(run.stdout);
    expect(summary).toMatchObject({
      event: 'finished',
      step: 3,
      steps: 3,
      stoppedBy: 'steps',
      backend: 'wasm',
    });
    expect(summary).not.toHaveProperty('resumeWith');
    expect(Object.keys(summary['zeroShot'] as object)).toEqual(['colour', 'shape', 'size', 'position']);

    const bytes = new Uint8Array(readFileSync(join(whole, 'clip.safetensors')));
    expect(summary['weightsBytes']).toBe(bytes.byteLength);
    const file = readSafetensors(bytes, { source: 'clip.safetensors' });
    const ids = clipWeightsTokenIds(file)!;
    expect(ids.length).toBe(summary['tokenRows']);
    expect(ids.length).toBeLessThan(300);
    expect(file.metadata['trained_by']).toBe('ratlip clip pretrain');
    const loaded = loadClipWeights(file);
    expect(loaded.config).toEqual(config.clip);
    loaded.model.dispose();
  });

  it('resumes after Ctrl-C with the same losses as an uninterrupted run', async () => {
    const part = join(folder, 'part');
    const stop: StopSignal = { stopRequested: false };
    const io: CliIO = {
      stdout: {
        write: (text: string) => {
          if (text.includes('"event":"step","step":2')) stop.stopRequested = true;
        },
      },
      stderr: { write: () => undefined },
    };
    const sitting = await resolvePretrainSitting({
      preset: 'shapes-micro',
      batchSize: 4,
      backend: 'wasm',
      evalImages: 6,
      steps: 3,
      checkpointEvery: 10,
      out: part,
    });
    const interrupted = await runClipPretraining(sitting, io, stop);
    expect(interrupted).toMatchObject({ step: 2, stoppedBy: 'interrupted', zeroShot: null });
    expect(interrupted.resumeWith).toBe(`ratlip clip pretrain --resume ${part}`);
    expect(listCheckpoints(part).map((entry) => entry.step)).toEqual([2]);
    expect(existsSync(join(part, 'clip.safetensors'))).toBe(true);
    expect(existsSync(join(part, 'zero-shot.json'))).toBe(false);

    const resumed = await runCaptured(['clip', 'pretrain', '--resume', part, '--backend', 'wasm']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(lastLine(resumed.stdout)).toMatchObject({ step: 3, stoppedBy: 'steps' });
    expect(losses(part)).toEqual(losses(whole));
  });

  it('fixes the length of a run given only --minutes from its first steps and records it', async () => {
    const timed = join(folder, 'timed');
    const stop: StopSignal = { stopRequested: false };
    const io: CliIO = {
      stdout: {
        write: (text: string) => {
          if (text.includes('"event":"length"')) stop.stopRequested = true;
        },
      },
      stderr: { write: () => undefined },
    };
    const sitting = await resolvePretrainSitting({
      preset: 'shapes-micro',
      batchSize: 2,
      backend: 'wasm',
      evalImages: 2,
      minutes: 60,
      out: timed,
    });
    expect(sitting.config.steps).toBeNull();
    const summary = await runClipPretraining(sitting, io, stop);
    expect(summary.step).toBe(LENGTH_ESTIMATE_STEPS + 1);
    const config = JSON.parse(readFileSync(join(timed, 'config.json'), 'utf8'));
    expect(config.steps).toBeGreaterThan(LENGTH_ESTIMATE_STEPS + 1);
    expect(summary.steps).toBe(config.steps);
    expect(config.trainer.schedule.totalSteps).toBe(config.steps);
    expect(config.stepsEstimate).toMatchObject({
      atStep: LENGTH_ESTIMATE_STEPS + 1,
      measuredSteps: LENGTH_ESTIMATE_STEPS,
      minutes: 60,
    });
  });

  it('leaves the length open when the time is up before it was measured', async () => {
    const short = join(folder, 'short');
    const run = await runCaptured(['clip', 'pretrain', ...MICRO, '--minutes', '0.0001', '--out', short]);
    expect(run.code).toBe(0);
    const summary = lastLine(run.stdout);
    expect(summary).toMatchObject({ stoppedBy: 'minutes', steps: null });
    expect(summary['step']).toBeLessThanOrEqual(LENGTH_ESTIMATE_STEPS);
    const resumed = await runCaptured(['clip', 'pretrain', '--resume', short]);
    expect(resumed.code).toBe(2);
    expect(errorLine(resumed)).toContain("the run's length is not fixed yet");
  });

  it('trains on a folder dataset with the whole vocabulary and no zero-shot evaluation', async () => {
    const images = join(folder, 'images');
    mkdirSync(images);
    const shapes = new ShapesDataset({ size: 4, imageSize: 40 });
    for (let index = 0; index < 4; index++) {
      const image = shapes.render(index);
      await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
        .png()
        .toFile(join(images, `${index}.png`));
      writeFileSync(join(images, `${index}.txt`), `${shapes.captions(index).join('\n')}\n`);
    }
    const out = join(folder, 'folder-clip');
    const run = await runCaptured([
      'clip',
      'pretrain',
      ...MICRO,
      '--dataset',
      `folder:${images}`,
      '--steps',
      '2',
      '--out',
      out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = lastLine(run.stdout);
    expect(summary).toMatchObject({ step: 2, zeroShot: null, tokenRows: 49408 });
    expect(existsSync(join(out, 'zero-shot.json'))).toBe(false);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ vocabulary: 'all', tokenIds: null });
    const file = readSafetensors(new Uint8Array(readFileSync(join(out, 'clip.safetensors'))));
    expect(clipWeightsTokenIds(file)).toBeUndefined();
  });

  it('fine-tunes --init weights with binding negatives and a frozen vision tower, recording the start', async () => {
    const init = join(whole, 'clip.safetensors');
    const tuned = join(folder, 'tuned');
    const run = await runCaptured([
      'clip',
      'pretrain',
      ...MICRO,
      '--init',
      init,
      '--binding-negatives',
      '--freeze-vision',
      '--steps',
      '2',
      '--out',
      tuned,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const initBytes = new Uint8Array(readFileSync(init));
    const config = JSON.parse(readFileSync(join(tuned, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      init: { path: init, sha256: createHash('sha256').update(initBytes).digest('hex') },
      bindingNegatives: true,
      freezeVision: true,
    });
    const negatives = jsonLines(join(tuned, 'metrics.jsonl')).map((record) => record['negatives'] as number);
    expect(negatives.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);

    const before = readSafetensors(initBytes);
    const after = readSafetensors(new Uint8Array(readFileSync(join(tuned, 'clip.safetensors'))));
    expect(after.metadata['init_sha256']).toBe(config.init.sha256);
    const same = (name: string) => after.float32(name).every((value, i) => value === before.float32(name)[i]);
    const vision = before.names().filter((name) => name.startsWith('visual.'));
    expect(vision.length).toBeGreaterThan(0);
    expect(vision.filter((name) => !same(name))).toEqual([]);
    expect(same('text_projection')).toBe(false);

    const zeroShot = JSON.parse(readFileSync(join(tuned, 'zero-shot.json'), 'utf8'));
    expect(Object.keys(zeroShot.binding)).toEqual(['colour', 'shape', 'size', 'position']);
    for (const entry of Object.values(zeroShot.binding) as Array<{ chance: number; images: number }>) {
      expect(entry).toMatchObject({ chance: 0.5, images: config.evalImages });
    }
  });

  it('requires --init of the right size for a fine-tuning preset', async () => {
    const missing = await runCaptured([
      'clip',
      'pretrain',
      '--preset',
      'shapes-binding',
      '--out',
      join(folder, 'b1'),
    ]);
    expect(missing.code).toBe(2);
    expect(errorLine(missing)).toContain(
      '--init <clip.safetensors> is required with --preset shapes-binding',
    );
    const init = join(whole, 'clip.safetensors');
    const wrong = await runCaptured([
      'clip',
      'pretrain',
      '--preset',
      'shapes-binding',
      '--init',
      init,
      '--out',
      join(folder, 'b2'),
    ]);
    expect(wrong.code).toBe(1);
    expect(errorLine(wrong)).toMatch(
      new RegExp(
        `--init ${init}: a CLIP of 32 px, vision \\d+ x \\d+, .*but the preset trains 32 px, vision 128 x 6`,
      ),
    );
    const absent = await runCaptured([
      'clip',
      'pretrain',
      ...MICRO,
      '--init',
      join(folder, 'none.safetensors'),
      '--out',
      join(folder, 'b3'),
    ]);
    expect(absent.code).toBe(1);
    expect(errorLine(absent)).toContain('none.safetensors: no such file');
  });

  it.each([
    [['--steps', '2'], 2, 'ratlip clip pretrain: --out <dir> is required'],
    [
      ['--preset', 'huge', '--out', 'x'],
      2,
      "--preset: unknown preset 'huge'; known: shapes, shapes-binding, shapes-micro",
    ],
    [['--steps', '0', '--out', 'x'], 2, "--steps: expected an integer >= 1, got '0'"],
    [['--dataset', 'nope:x', '--out', 'x'], 2, "--dataset: unknown dataset kind 'nope'"],
    [['--dataset', 'folder:/no/such/folder', '--out', 'x'], 1, '--dataset: folder dataset not found'],
    [['--resume', join('/no', 'run')], 1, `--resume ${join('/no', 'run')}: no config.json`],
  ])('rejects %j with exit code %i and one line', async (args, code, message) => {
    const run = await runCaptured(['clip', 'pretrain', ...args]);
    expect(run.code).toBe(code);
    expect(errorLine(run)).toContain(message);
  });

  it('refuses to overwrite a run, to change a resumed run, or to outgrow its schedule', async () => {
    const again = await runCaptured(['clip', 'pretrain', ...MICRO, '--steps', '1', '--out', whole]);
    expect(again.code).toBe(1);
    expect(errorLine(again)).toContain('already holds a run; continue it with --resume');
    const changed = await runCaptured(['clip', 'pretrain', '--resume', whole, '--seed', '3']);
    expect(changed.code).toBe(2);
    expect(errorLine(changed)).toContain(
      "--seed cannot be combined with --resume: the run's config.json fixes it",
    );
    const longer = await runCaptured(['clip', 'pretrain', '--resume', whole, '--steps', '5']);
    expect(longer.code).toBe(2);
    expect(errorLine(longer)).toContain("--steps: 5 is beyond the run's length of 3 steps");
    const broken = join(folder, 'broken');
    const copy = JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8'));
    await runCaptured([
      'clip',
      'pretrain',
      ...MICRO,
      '--steps',
      '1',
      '--checkpoint-every',
      '1',
      '--out',
      broken,
    ]);
    writeFileSync(join(broken, 'config.json'), JSON.stringify({ ...copy, batchSize: 'many' }));
    const corrupt = await runCaptured(['clip', 'pretrain', '--resume', broken]);
    expect(corrupt.code).toBe(1);
    expect(errorLine(corrupt)).toContain(`${join(broken, 'config.json')}: 'batchSize':`);
  });
});
