import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../cli-io';
import { errorLine, runCaptured, temporaryFolder } from '../../run-cli.test-support';
import { resolveTrainConfig, type TrainOptions } from '../../train/train-config';
import { listCheckpoints } from '../run-folder';
import { runTraining } from '../train-run';
import { readMetrics } from '../training-report';
import { replicaWorkerForTests } from './replica-worker.test-support';

const folder = temporaryFolder('ratlip-data-parallel-');

const silent: CliIO = { stdout: { write: () => undefined }, stderr: { write: () => undefined } };

/** Two replicas of two images each. */
const REPLICATED: TrainOptions = {
  backend: 'wasm',
  batchSize: 4,
  workers: 2,
  sampleEvery: 100,
  checkpointEvery: 2,
  evalSamples: 0,
};

function losses(run: string): unknown[] {
  return readMetrics(run).map((record) => record['losses']);
}

async function train(options: TrainOptions): Promise<void> {
  const replicaWorkerScript = await replicaWorkerForTests();
  await runTraining(resolveTrainConfig(options), silent, undefined, { replicaWorkerScript });
}

describe('data-parallel training (2 replicas on worker threads)', () => {
  it('trains on shards, records the replicas, keeps the tensor count flat and resumes with the same losses', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const whole = join(folder, 'whole');
    await train({ ...REPLICATED, steps: 3, out: whole });
    expect(tf.memory().numTensors).toBe(before);
    expect(JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8')).workers).toBe(2);
    const records = readMetrics(whole);
    expect(records.map((record) => record['step'])).toEqual([1, 2, 3]);
    for (const record of records) {
      for (const value of Object.values(record['losses'] as Record<string, number>)) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
    const checkpoint = listCheckpoints(whole).at(-1)!.path;
    const state = JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8'));
    expect(state.extra.replicaNoise).toHaveLength(1);

    const part = join(folder, 'part');
    await train({ ...REPLICATED, steps: 2, out: part });
    await train({ resume: part, steps: 3 });
    expect(losses(part)).toEqual(losses(whole));

    // One replica on the whole batch is a different computation (BatchNorm and mismatched pairs per shard).
    const single = join(folder, 'single');
    await train({ ...REPLICATED, workers: 1, steps: 1, out: single });
    expect(losses(single)[0]).not.toEqual(losses(whole)[0]);
  });

  it('shards the contrastive CLIP term with the batch', async () => {
    const run = join(folder, 'contrast');
    await train({ ...REPLICATED, steps: 2, out: run, clipContrastWeight: 1, clipContrasts: 3 });
    const { clipLossWeight } = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).model.training;
    for (const record of readMetrics(run)) {
      const values = record['losses'] as Record<string, number>;
      expect(values['clipContrast']).toBeGreaterThan(0);
      expect(values['g']).toBeCloseTo(
        values['gAdversarial']! - clipLossWeight * values['clipSimilarity']! + values['clipContrast']!,
        4,
      );
    }
  });

  it('carries word features and phrase embeddings to the replicas of a generator that reads them', async () => {
    const before = tf.memory().numTensors;
    const run = join(folder, 'phrases');
    await train({ ...REPLICATED, preset: 'shapes-phrases', steps: 2, out: run });
    expect(tf.memory().numTensors).toBe(before);
    const saved = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(saved.workers).toBe(2);
    expect(saved.model.generator.wordAttention.blocks.length).toBeGreaterThan(0);
    expect(saved.model.generator.phraseAttention.blocks.length).toBeGreaterThan(0);
    const records = readMetrics(run);
    expect(records.map((record) => record['step'])).toEqual([1, 2]);
    for (const record of records) {
      for (const value of Object.values(record['losses'] as Record<string, number>)) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
  });

  it('says how to get the replica script when the trainer is not built', async () => {
    const run = await runCaptured([
      'train',
      '--steps',
      '1',
      '--batch-size',
      '4',
      '--workers',
      '2',
      '--backend',
      'wasm',
      '--out',
      join(folder, 'unbuilt'),
    ]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(
      /data-parallel training needs the replica thread's script .*replica-worker\.js: build the trainer \(pnpm build\) or train with --workers 1/,
    );
  });
});
