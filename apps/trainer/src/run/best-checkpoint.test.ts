import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../run-cli.test-support';
import { type BestCheckpointInfo, bestCandidate, isBetter, readBestCheckpoint } from './best-checkpoint';
import type { EvaluationRecord } from './evaluation-log';

const folder = temporaryFolder('ratlip-best-');

function info(metric: string, value: number, step = 1): BestCheckpointInfo {
  return { metric, value, step, samples: 64, seed: 0, captions: 'shapes heldout' };
}

describe('best checkpoint ranking', () => {
  it('ranks by the metric direction, keeps the older checkpoint on ties and restarts on another metric', () => {
    expect(isBetter(info('shapes-alignment', 0.5), undefined)).toBe(true);
    expect(isBetter(info('shapes-alignment', 0.6), info('shapes-alignment', 0.5))).toBe(true);
    expect(isBetter(info('shapes-alignment', 0.5), info('shapes-alignment', 0.5))).toBe(false);
    expect(isBetter(info('fid', 20), info('fid', 30))).toBe(true);
    expect(isBetter(info('kid', 0.03), info('kid', 0.02))).toBe(false);
    expect(isBetter(info('fid', 90), info('shapes-alignment', 0.9))).toBe(true);
  });

  it('takes the candidate from a record, and none from a record without the metric or a finite value', () => {
    const record: EvaluationRecord = {
      time: '2026-11-28T00:00:00.000Z',
      checkpoint: null,
      step: 40,
      captions: 'shapes heldout',
      samples: 64,
      seed: 0,
      by: 'training',
      backend: 'wasm',
      metrics: [
        {
          metric: 'shapes-alignment',
          value: 0,
          breakdown: { colour: 0.5, shape: 0.2, size: 0.4, position: 0.3, overall: 0, chanceColour: 0.09 },
          sampleCount: 64,
          settings: {},
          notes: [],
        },
        { metric: 'clip-score', value: 31.5, sampleCount: 64, settings: {}, notes: [] },
      ],
    };
    // Shapes alignment ranks by the mean of its four attribute accuracies, not its all-correct value.
    const candidate = bestCandidate(record, 'shapes-alignment')!;
    expect(candidate).toEqual({ ...info('shapes-alignment', candidate.value, 40) });
    expect(candidate.value).toBeCloseTo((0.5 + 0.2 + 0.4 + 0.3) / 4, 12);
    expect(bestCandidate(record, 'clip-score')).toEqual(info('clip-score', 31.5, 40));
    expect(bestCandidate(record, 'fid')).toBeUndefined();
    const broken = { ...record, metrics: [{ ...record.metrics[1]!, value: Number.NaN }] };
    expect(bestCandidate(broken, 'clip-score')).toBeUndefined();
  });

  it('reads checkpoints/best, or the copy an interrupted save left aside', () => {
    const run = join(folder, 'run');
    expect(readBestCheckpoint(run)).toBeUndefined();
    const aside = join(run, 'checkpoints', 'best.previous-1-a');
    mkdirSync(aside, { recursive: true });
    writeFileSync(
      join(aside, 'state.json'),
      JSON.stringify({ step: 7, extra: { best: info('shapes-alignment', 0.3, 7) } }),
    );
    expect(readBestCheckpoint(run)).toEqual(info('shapes-alignment', 0.3, 7));
    const best = join(run, 'checkpoints', 'best');
    mkdirSync(best);
    writeFileSync(
      join(best, 'state.json'),
      JSON.stringify({ step: 9, extra: { best: info('shapes-alignment', 0.4, 9) } }),
    );
    expect(readBestCheckpoint(run)).toEqual(info('shapes-alignment', 0.4, 9));
  });
});
