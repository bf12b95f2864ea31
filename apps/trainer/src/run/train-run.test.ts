import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../cli-io';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';
import { resolveTrainConfig } from '../train/train-config';
import { TRAIN_PRESETS } from '../train/train-presets';
import { readBestCheckpoint } from './best-checkpoint';
import { metricReport, readEvaluations } from './evaluation-log';
import { shippedClipPath } from './run-clip';
import { bestCheckpointFolder, listCheckpoints } from './run-folder';
import { runTraining, type StopSignal } from './train-run';
import { readMetrics } from './training-report';

const folder = temporaryFolder('ratlip-train-');

/** Images per Shapes-alignment evaluation in these tests. */
const EVAL_SAMPLES = 4;

const common = [
  '--backend',
  'wasm',
  '--batch-size',
  '2',
  '--sample-every',
  '2',
  '--checkpoint-every',
  '2',
  '--eval-samples',
  String(EVAL_SAMPLES),
];

const silent: CliIO = { stdout: { write: () => undefined }, stderr: { write: () => undefined } };

function losses(run: string): Array<[number, unknown]> {
  return readMetrics(run).map((record) => [record['step'] as number, record['losses']]);
}

/** `(step, overall Shapes alignment)` of each evaluation of a run. */
function alignment(run: string): Array<[number, number | undefined]> {
  return readEvaluations(run).map((record) => [record.step, metricReport(record, 'shapes-alignment')?.value]);
}

/** Output that requests `stop` through `schedule` when the first step is reported. */
function stoppingAfterFirstStep(schedule: (request: () => void) => void, stop: StopSignal): CliIO {
  return {
    stdout: {
      write: (text: string) => {
        if (text.includes('"event":"step"')) schedule(() => Object.assign(stop, { stopRequested: true }));
      },
    },
    stderr: { write: () => undefined },
  };
}

describe('ratlip train (the default shapes preset, batch 2)', () => {
  it('writes every artefact of a run folder and keeps the tensor count flat', async () => {
    const run = join(folder, 'interrupted');
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const result = await runCaptured(['train', '--steps', '2', '--out', run, ...common]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    for (const file of [
      'config.json',
      'reals.png',
      'fakes-000002.png',
      'metrics.jsonl',
      'eval.jsonl',
      'report.html',
    ]) {
      expect(existsSync(join(run, file)), file).toBe(true);
    }
    // Training here runs on wasm, so no TensorBoard event files (and no error for the missing package).
    expect(existsSync(join(run, 'tensorboard'))).toBe(false);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config.model.name).toBe(TRAIN_PRESETS.shapes!.model);
    const clipFile = shippedClipPath(config.model.clip.model)!;
    expect(config.clip).toEqual({
      kind: 'shipped',
      name: config.model.clip.model,
      sha256: createHash('sha256').update(readFileSync(clipFile)).digest('hex'),
    });
    expect(listCheckpoints(run).map((entry) => entry.step)).toEqual([2]);
    const records = readMetrics(run);
    expect(records.map((record) => record['step'])).toEqual([1, 2]);
    expect(records[0]).toHaveProperty('imagesPerSecond');
    expect(records[0]).toHaveProperty('numTensors');
    for (const record of records) {
      const norms = record['gradientNorms'] as { generator: number; discriminator: number };
      for (const value of [norms.generator, norms.discriminator]) {
        expect(Number.isFinite(value) && value > 0).toBe(true);
      }
    }
    const evaluations = readEvaluations(run);
    expect(evaluations.map((record) => [record.step, record.by, record.samples])).toEqual([
      [2, 'training', EVAL_SAMPLES],
    ]);
    expect(evaluations[0]!.checkpoint).toBe(listCheckpoints(run)[0]!.path);
    expect(readBestCheckpoint(run)).toMatchObject({ metric: 'shapes-alignment', step: 2 });
    expect(existsSync(join(bestCheckpointFolder(run), 'state.json'))).toBe(true);
    const report = readFileSync(join(run, 'report.html'), 'utf8');
    expect(report).toContain('<svg');
    expect(report).toContain('<title>discriminator</title>');
    expect(report).toContain('<title>overall</title>');
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; step: number });
    expect(events.filter((event) => event.event === 'evaluation').map((event) => event.step)).toEqual([2]);
    expect(events.find((event) => event.event === 'finished')).toMatchObject({ step: 2, stoppedBy: 'steps' });
  });

  it('resumes with the same losses and evaluations as an uninterrupted run, dropping records after the checkpoint', async () => {
    const whole = join(folder, 'whole');
    const part = join(folder, 'interrupted');
    expect((await runCaptured(['train', '--steps', '3', '--out', whole, ...common])).code).toBe(0);
    // What a kill -9 after logging past the last checkpoint would leave behind.
    appendFileSync(join(part, 'metrics.jsonl'), '{"step":9,"losses":{}}\n');
    appendFileSync(join(part, 'eval.jsonl'), '{"step":9,"metrics":[]}\n');
    const resumed = await runCaptured(['train', '--resume', part, '--steps', '3', '--backend', 'wasm']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(losses(part)).toEqual(losses(whole));
    expect(losses(part).map(([step]) => step)).toEqual([1, 2, 3]);
    expect(listCheckpoints(part).map((entry) => entry.step)).toEqual([2, 3]);
    expect(alignment(part).map(([step]) => step)).toEqual([2, 3]);
    expect(alignment(part).at(-1)).toEqual(alignment(whole).at(-1));
  });

  it('--ema-decay on resume adds a generator average from the checkpoint on, without changing the losses', async () => {
    const run = join(folder, 'average-from-resume');
    const noAverage = [...common, '--ema-decay', '0'];
    expect((await runCaptured(['train', '--steps', '2', '--out', run, ...noAverage])).code).toBe(0);
    const resumed = await runCaptured([
      'train',
      ...['--resume', run, '--steps', '3', '--ema-decay', '0.9', '--sample-every', '5'],
    ]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(losses(run)).toEqual(losses(join(folder, 'whole')));
    // The sitting's settings are written back, so the next --resume keeps them.
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).sampleEvery).toBe(5);
    expect(resolveTrainConfig({ resume: run }).sampleEvery).toBe(5);
    const files = ([2, 3] as const).map((step) => {
      const checkpoint = listCheckpoints(run).find((entry) => entry.step === step)!.path;
      const state = JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8'));
      const model = JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8'));
      return { averaged: state.files.netGEma !== undefined, ema: model.training.ema };
    });
    expect(files).toEqual([
      { averaged: false, ema: { enabled: false, decay: 0 } },
      { averaged: true, ema: { enabled: true, decay: 0.9 } },
    ]);
  });

  it('--generator-learning-rate and --discriminator-learning-rate on resume apply from the checkpoint on', async () => {
    const run = join(folder, 'annealed');
    const reference = join(folder, 'whole');
    expect((await runCaptured(['train', '--steps', '2', '--out', run, ...common])).code).toBe(0);
    const rates = { learningRateG: 1e-2, learningRateD: 3e-3 };
    const resumed = await runCaptured([
      'train',
      ...['--resume', run, '--steps', '3', '--backend', 'wasm'],
      ...['--generator-learning-rate', String(rates.learningRateG)],
      ...['--discriminator-learning-rate', String(rates.learningRateD)],
    ]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const checkpoint = (folderOf: string, step: number) =>
      listCheckpoints(folderOf).find((entry) => entry.step === step)!.path;
    const bytes = (folderOf: string, step: number, file: string) =>
      readFileSync(join(checkpoint(folderOf, step), file));
    const trainingOf = (folderOf: string, step: number) =>
      JSON.parse(readFileSync(join(checkpoint(folderOf, step), 'config.json'), 'utf8')).training;
    const presetRates = {
      learningRateG: trainingOf(reference, 2).learningRateG,
      learningRateD: trainingOf(reference, 2).learningRateD,
    };
    expect(trainingOf(run, 2)).toMatchObject(presetRates);
    expect(trainingOf(run, 3)).toMatchObject(rates);
    // D steps before G, so step 3's generator loss already sees a discriminator updated at the new rate.
    const [first, second, third] = losses(run);
    const [referenceFirst, referenceSecond, referenceThird] = losses(reference);
    expect([first, second]).toEqual([referenceFirst, referenceSecond]);
    expect(third![1]).toMatchObject({ dReal: (referenceThird![1] as { dReal: number }).dReal });
    expect(third![1]).not.toEqual(referenceThird![1]);
    for (const file of ['netG.safetensors', 'netD.safetensors']) {
      expect(bytes(run, 2, file).equals(bytes(reference, 2, file))).toBe(true);
      expect(bytes(run, 3, file).equals(bytes(reference, 3, file))).toBe(false);
    }
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).model.training).toMatchObject(rates);
    const fresh = join(folder, 'fresh-rates');
    const freshRun = await runCaptured([
      'train',
      ...['--steps', '1', '--out', fresh, ...common, '--eval-samples', '0'],
      ...['--generator-learning-rate', String(rates.learningRateG)],
    ]);
    expect(freshRun.code).toBe(0);
    expect(JSON.parse(readFileSync(join(fresh, 'config.json'), 'utf8')).model.training).toMatchObject({
      learningRateG: rates.learningRateG,
      learningRateD: presetRates.learningRateD,
    });
    expect(trainingOf(fresh, 1).learningRateG).toBe(rates.learningRateG);
    // Later sittings keep the rates the checkpoint records.
    expect((await runCaptured(['train', '--resume', run, '--steps', '4', '--backend', 'wasm'])).code).toBe(0);
    expect(trainingOf(run, 4)).toMatchObject(rates);
  });

  it('stops a resumed run whose CLIP changed since, unless --new-clip takes the new one on record', async () => {
    const run = join(folder, 'clip-changed');
    expect(
      (await runCaptured(['train', '--steps', '2', '--out', run, ...common, '--eval-samples', '0'])).code,
    ).toBe(0);
    const configPath = join(run, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    const current = config.clip;
    const earlier = { ...current, sha256: 'f'.repeat(64) };
    writeFileSync(configPath, JSON.stringify({ ...config, clip: earlier }));
    const refused = await runCaptured(['train', '--resume', run, '--steps', '3', '--backend', 'wasm']);
    expect(refused.code).toBe(1);
    expect(errorLine(refused)).toContain(
      `the run trained with the CLIP shipped '${current.name}' sha256 ffffffffffff (${configPath}), but finds shipped '${current.name}' sha256 ${current.sha256.slice(0, 12)}`,
    );
    expect(errorLine(refused)).toContain('add --new-clip');
    const taken = await runCaptured([
      'train',
      '--resume',
      run,
      '--steps',
      '3',
      '--backend',
      'wasm',
      '--new-clip',
    ]);
    expect(taken.stderr).toBe('');
    expect(taken.code).toBe(0);
    const updated = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(updated.clip).toEqual(current);
    expect(updated.clipChanges).toEqual([{ step: 2, from: earlier }]);
    expect(listCheckpoints(run).at(-1)!.step).toBe(3);
    // Sampling checks each checkpoint against the CLIP it was trained with.
    const sample = (source: string) =>
      runCaptured([
        'sample',
        source,
        '--text',
        'a red circle',
        '--backend',
        'wasm',
        '--out',
        join(run, 'samples'),
      ]);
    expect((await sample(run)).code).toBe(0);
    // A checkpoint from before checkpoints recorded their CLIP: the run's clipChanges tell which it was.
    const second = listCheckpoints(run).find((entry) => entry.step === 2)!.path;
    const statePath = join(second, 'state.json');
    const { extra, ...state } = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(extra.clip).toEqual(current);
    writeFileSync(statePath, JSON.stringify({ ...state, extra: { pipeline: extra.pipeline } }));
    const before = await sample(second);
    expect(before.code).toBe(1);
    expect(errorLine(before)).toContain(
      `trained with the CLIP shipped '${current.name}' sha256 ffffffffffff`,
    );
    const fresh = await runCaptured([
      'train',
      '--steps',
      '1',
      '--out',
      join(folder, 'new-clip-fresh'),
      '--new-clip',
    ]);
    expect(fresh.code).toBe(2);
    expect(errorLine(fresh)).toContain('--new-clip goes with --resume');
  });

  it('--clip-contrast-weight adds its term to the G loss only, and a resumed run draws the same contrasts', async () => {
    const contrast = [...common, '--eval-samples', '0', '--clip-contrast-weight', '0.5'];
    const whole = join(folder, 'contrast-whole');
    const part = join(folder, 'contrast-part');
    expect((await runCaptured(['train', '--steps', '3', '--out', whole, ...contrast])).code).toBe(0);
    expect((await runCaptured(['train', '--steps', '2', '--out', part, ...contrast])).code).toBe(0);
    const resumed = await runCaptured(['train', '--resume', part, '--steps', '3', '--backend', 'wasm']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(losses(part)).toEqual(losses(whole));
    const [first] = losses(whole).map(([, values]) => values as Record<string, number>);
    const [official] = losses(join(folder, 'whole')).map(([, values]) => values as Record<string, number>);
    // Step 1 has the same fake and D update as the official run; only g gains the weighted term.
    const { clipContrast, g, ...shared } = first!;
    expect(clipContrast).toBeGreaterThan(0);
    expect(official!['clipContrast']).toBe(0);
    expect(shared).toEqual(Object.fromEntries(Object.entries(official!).filter(([name]) => name in shared)));
    expect(g).toBeCloseTo(official!['g']! + 0.5 * clipContrast!, 5);
  });

  it('--hard-mismatch changes only the mismatch term of the first D step, and is kept when resuming', async () => {
    const run = join(folder, 'hard-mismatch');
    const options = [...common, '--eval-samples', '0', '--hard-mismatch'];
    expect((await runCaptured(['train', '--steps', '1', '--out', run, ...options])).code).toBe(0);
    const [hard] = losses(run).map(([, values]) => values as Record<string, number>);
    const [official] = losses(join(folder, 'whole')).map(([, values]) => values as Record<string, number>);
    for (const name of ['dReal', 'dFake', 'maGp']) expect(hard![name], name).toBeCloseTo(official![name]!, 5);
    expect(hard!['dMismatch']).not.toBeCloseTo(official!['dMismatch']!, 3);
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).hardMismatch).toBe(true);
    expect(resolveTrainConfig({ resume: run }).hardMismatch).toBe(true);
    expect(resolveTrainConfig({ resume: run, hardMismatch: false }).hardMismatch).toBe(false);
  });

  it('--reconstruction-weight adds its term to the G loss only, and is kept when resuming', async () => {
    const run = join(folder, 'reconstruction');
    const options = [...common, '--eval-samples', '0', '--reconstruction-weight', '2'];
    const paired = [...options, '--reconstruction-foreground', '10'];
    expect((await runCaptured(['train', '--steps', '1', '--out', run, ...paired])).code).toBe(0);
    const uniformRun = join(folder, 'reconstruction-uniform');
    expect((await runCaptured(['train', '--steps', '1', '--out', uniformRun, ...options])).code).toBe(0);
    const [first] = losses(run).map(([, values]) => values as Record<string, number>);
    const [uniform] = losses(uniformRun).map(([, values]) => values as Record<string, number>);
    const [official] = losses(join(folder, 'whole')).map(([, values]) => values as Record<string, number>);
    const { reconstruction, g, ...shared } = first!;
    expect(reconstruction).toBeGreaterThan(0);
    expect(official!['reconstruction']).toBe(0);
    // The same fakes, so the weighting alone moves the distance: objects differ more than the background.
    expect(reconstruction).not.toBeCloseTo(uniform!['reconstruction']!, 3);
    expect(shared).toEqual(Object.fromEntries(Object.entries(official!).filter(([name]) => name in shared)));
    expect(g).toBeCloseTo(official!['g']! + 2 * reconstruction!, 4);
    expect(resolveTrainConfig({ resume: run })).toMatchObject({
      reconstructionWeight: 2,
      reconstructionForeground: 10,
    });
    expect(resolveTrainConfig({ resume: run, reconstructionWeight: 0 }).reconstructionWeight).toBe(0);
    expect(
      resolveTrainConfig({ resume: run, reconstructionForegroundOf: 'both' }).reconstructionForegroundOf,
    ).toBe('both');
  });

  it('--init-from starts a run from trained weights; word attention added to them starts closed', async () => {
    const source = join(folder, 'whole');
    const options = [...common, '--eval-samples', '0', '--clip-contrast-weight', '0', '--steps', '1'];
    const startFrom = (from: string, out: string, ...extra: string[]) =>
      runCaptured(['train', ...extra, '--out', out, '--init-from', from, ...options]);
    const firstLosses = (run: string) =>
      losses(run).map(([, values]) => values as Record<string, number>)[0]!;
    const plain = join(folder, 'init-plain');
    const words = join(folder, 'init-words');
    const started = await startFrom(source, plain);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect((await startFrom(source, words, '--preset', 'shapes-words')).code).toBe(0);
    const [fromPlain, fromWords, fresh] = [plain, words, source].map(firstLosses);
    // Same data, noise and weights (the closed attention adds nothing): the same first step.
    for (const [name, value] of Object.entries(fromPlain!))
      expect(fromWords![name], name).toBeCloseTo(value, 4);
    expect(fromPlain!['dReal']).not.toBeCloseTo(fresh!['dReal']!, 4);
    const saved = JSON.parse(readFileSync(join(words, 'config.json'), 'utf8'));
    expect(saved.initFrom).toBe(source);
    expect(saved.model.generator.wordAttention.blocks.length).toBeGreaterThan(0);
    expect(listCheckpoints(words).at(-1)!.step).toBe(1);
    const back = await startFrom(words, join(folder, 'init-back'));
    expect(back.code).toBe(1);
    expect(errorLine(back)).toMatch(
      new RegExp(
        `--init-from ${words}: .*netG\\.word_attention\\.0\\.\\S+ of the source has no place in the new config`,
      ),
    );
    const exported = join(folder, 'init-generator-only');
    expect((await runCaptured(['export', source, '--generator', '--out', exported])).code).toBe(0);
    const fromExport = join(folder, 'init-export');
    const exportStart = await startFrom(exported, fromExport);
    expect(exportStart.stderr).toBe('');
    expect(exportStart.code).toBe(0);
    const fromGenerator = firstLosses(fromExport);
    // A fresh discriminator drawn from the same seed as the source run's first one judges the same reals alike,
    // while the trained generator's fakes differ from that run's first ones.
    expect(fromGenerator['dReal']).toBeCloseTo(fresh!['dReal']!, 4);
    expect(fromGenerator['dFake']).not.toBeCloseTo(fresh!['dFake']!, 4);
    expect(fromGenerator['gAdversarial']).not.toBeCloseTo(fromPlain!['gAdversarial']!, 4);
    const missing = await startFrom(join(folder, 'nope'), join(folder, 'init-missing'));
    expect(missing.code).not.toBe(0);
    expect(errorLine(missing)).toContain(join(folder, 'nope'));
  });

  it('evaluates every evalEvery steps without changing the training, and keeps the best beside the last N', async () => {
    const run = join(folder, 'evaluated');
    const config = resolveTrainConfig({
      steps: 3,
      out: run,
      backend: 'wasm',
      batchSize: 2,
      sampleEvery: 100,
      checkpointEvery: 1,
      keepCheckpoints: 1,
      evalEvery: 1,
      evalSamples: EVAL_SAMPLES,
    });
    const result = await runTraining(config, silent);
    expect(losses(run)).toEqual(losses(join(folder, 'whole')));
    const evaluations = readEvaluations(run);
    expect(evaluations.map((record) => [record.step, record.by])).toEqual([
      [1, 'training'],
      [2, 'training'],
      [3, 'training'],
    ]);
    const values = alignment(run).map(([, value]) => value!);
    const bestIndex = values.indexOf(Math.max(...values));
    expect(readBestCheckpoint(run)).toMatchObject({
      metric: 'shapes-alignment',
      step: bestIndex + 1,
      value: values[bestIndex],
      samples: EVAL_SAMPLES,
    });
    expect(result.best).toEqual(readBestCheckpoint(run));
    expect(result.evaluation?.step).toBe(3);
    const bestState = JSON.parse(readFileSync(join(bestCheckpointFolder(run), 'state.json'), 'utf8'));
    expect(bestState.step).toBe(bestIndex + 1);
    expect(listCheckpoints(run).map((entry) => entry.step)).toEqual([3]);
  });

  it('refuses to train into an existing run folder', async () => {
    const result = await runCaptured(['train', '--steps', '1', '--out', join(folder, 'whole'), ...common]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already holds a run; continue it with --resume/);
  });

  it('sees a stop requested by an event-loop callback (a signal handler) within a step', async () => {
    const run = join(folder, 'signalled');
    const stop: StopSignal = { stopRequested: false };
    // As a signal handler would: from the event loop, not from the training code.
    const io = stoppingAfterFirstStep((request) => setTimeout(request, 0), stop);
    const config = resolveTrainConfig({
      steps: 40,
      out: run,
      backend: 'wasm',
      batchSize: 2,
      sampleEvery: 1000,
      checkpointEvery: 1000,
      evalSamples: 0,
    });
    const result = await runTraining(config, io, stop);
    expect(result.stoppedBy).toBe('interrupted');
    expect(result.step).toBeLessThanOrEqual(2);
    expect(listCheckpoints(run).map((entry) => entry.step)).toEqual([result.step]);
  });

  it('stops after the current step when interrupted, with a checkpoint, the last grid and the report', async () => {
    const run = join(folder, 'ctrl-c');
    const stop: StopSignal = { stopRequested: false };
    const io = stoppingAfterFirstStep((request) => request(), stop);
    const config = resolveTrainConfig({
      steps: 10,
      out: run,
      backend: 'wasm',
      batchSize: 2,
      evalSamples: EVAL_SAMPLES,
      evalEvery: 1,
    });
    const result = await runTraining(config, io, stop);
    expect(result).toMatchObject({ step: 1, stoppedBy: 'interrupted' });
    expect(listCheckpoints(run).map((entry) => entry.step)).toEqual([1]);
    expect(existsSync(join(run, 'fakes-000001.png'))).toBe(true);
    expect(existsSync(join(run, 'report.html'))).toBe(true);
    // Evaluated once in the loop at step 1; the end of the sitting does not repeat it.
    expect(alignment(run).map(([step]) => step)).toEqual([1]);
    expect(readEvaluations(run)[0]!.checkpoint).toBeNull();
  });
});
