import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runCaptured, temporaryFolder } from '../run-cli.test-support';
import { resolveTrainConfig } from '../train/train-config';
import { listCheckpoints } from './run-folder';
import { runTraining, type StopSignal } from './train-run';
import { readMetrics } from './training-report';

const folder = temporaryFolder('ratlip-train-');
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
  '0',
];

function losses(run: string): Array<[number, unknown]> {
  return readMetrics(run).map((record) => [record['step'] as number, record['losses']]);
}

describe('ratlip train (ratlip-tiny, batch 2)', () => {
  it('writes every artefact of a run folder and keeps the tensor count flat', async () => {
    const run = join(folder, 'interrupted');
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const result = await runCaptured(['train', '--steps', '2', '--out', run, ...common]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    for (const file of ['config.json', 'reals.png', 'fakes-000002.png', 'metrics.jsonl', 'report.html']) {
      expect(existsSync(join(run, file)), file).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config.model.name).toBe('ratlip-tiny');
    expect(config.clip).toEqual({ kind: 'seeded-init', seed: 7 });
    expect(listCheckpoints(run).map((entry) => entry.step)).toEqual([2]);
    const records = readMetrics(run);
    expect(records.map((record) => record['step'])).toEqual([1, 2]);
    expect(records[0]).toHaveProperty('imagesPerSecond');
    expect(records[0]).toHaveProperty('numTensors');
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toContain('<svg');
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string });
    expect(events.at(-1)).toMatchObject({ event: 'finished', step: 2, stoppedBy: 'steps' });
  });

  it('resumes with the same losses as an uninterrupted run', async () => {
    const whole = join(folder, 'whole');
    const part = join(folder, 'interrupted');
    expect((await runCaptured(['train', '--steps', '3', '--out', whole, ...common])).code).toBe(0);
    const resumed = await runCaptured(['train', '--resume', part, '--steps', '3', '--backend', 'wasm']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(losses(part)).toEqual(losses(whole));
    expect(losses(part).map(([step]) => step)).toEqual([1, 2, 3]);
    expect(listCheckpoints(part).map((entry) => entry.step)).toEqual([2, 3]);
  });

  it('refuses to train into an existing run folder', async () => {
    const result = await runCaptured(['train', '--steps', '1', '--out', join(folder, 'whole'), ...common]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already holds a run; continue it with --resume/);
  });

  it('stops after the current step when interrupted, with a checkpoint, the last grid and the report', async () => {
    const run = join(folder, 'ctrl-c');
    const stop: StopSignal = { stopRequested: false };
    const lines: string[] = [];
    const io = {
      stdout: {
        write: (text: string) => {
          lines.push(text);
          if (text.includes('"event":"step"')) stop.stopRequested = true;
        },
      },
      stderr: { write: () => undefined },
    };
    const config = resolveTrainConfig({ steps: 10, out: run, backend: 'wasm', batchSize: 2 });
    const result = await runTraining(config, io, stop);
    expect(result).toMatchObject({ step: 1, stoppedBy: 'interrupted' });
    expect(listCheckpoints(run).map((entry) => entry.step)).toEqual([1]);
    expect(existsSync(join(run, 'fakes-000001.png'))).toBe(true);
    expect(existsSync(join(run, 'report.html'))).toBe(true);
  });
});
