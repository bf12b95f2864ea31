import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { MetricReport } from '@ratlip/eval';
import { type EvaluationRecord, metricReport } from './evaluation-log';
import { bestCheckpointFolder } from './run-folder';

/** How a metric ranks checkpoints. */
interface CheckpointRanking {
  higherIsBetter: boolean;
  /** The ranking figure of a report; default its `value`. */
  figure?: (report: MetricReport) => number;
}

/** The Shapes attributes whose accuracies rank checkpoints. */
const SHAPES_ATTRIBUTES = ['colour', 'shape', 'size', 'position'] as const;

/** How each metric ranks checkpoints. */
export const CHECKPOINT_RANKINGS: Readonly<Record<string, CheckpointRanking>> = {
  // Ranked by the mean of the four attribute accuracies: the metric's value (every attribute of every
  // object right) stays at 0 for most of a short run and would never pick a better checkpoint.
  'shapes-alignment': {
    higherIsBetter: true,
    figure: (report) =>
      SHAPES_ATTRIBUTES.reduce((sum, attribute) => sum + (report.breakdown?.[attribute] ?? 0), 0) /
      SHAPES_ATTRIBUTES.length,
  },
  'clip-score': { higherIsBetter: true },
  fid: { higherIsBetter: false },
  kid: { higherIsBetter: false },
};

/** The figure that made a checkpoint the best; stored as `extra.best` in its `state.json`. */
export interface BestCheckpointInfo {
  /** Metric that ranks the checkpoints (a key of {@link CHECKPOINT_RANKINGS}). */
  metric: string;
  /** Its ranking figure (Shapes alignment: the mean of the colour, shape, size and position accuracies). */
  value: number;
  step: number;
  /** Images the figure was computed on. */
  samples: number;
  seed: number;
  captions: string;
}

/** The ranking figure of `record` for `metric`, or undefined when it was not computed or is not finite. */
export function bestCandidate(record: EvaluationRecord, metric: string): BestCheckpointInfo | undefined {
  const report = metricReport(record, metric);
  if (!report) return undefined;
  const value = CHECKPOINT_RANKINGS[metric]?.figure?.(report) ?? report.value;
  if (!Number.isFinite(value)) return undefined;
  return {
    metric,
    value,
    step: record.step,
    samples: record.samples,
    seed: record.seed,
    captions: record.captions,
  };
}

/**
 * Whether `candidate` beats `best`: strictly better by its metric's direction (ties keep the older
 * checkpoint). A best of another metric, or none, is always beaten.
 */
export function isBetter(candidate: BestCheckpointInfo, best: BestCheckpointInfo | undefined): boolean {
  if (!best || best.metric !== candidate.metric) return true;
  const ranking = CHECKPOINT_RANKINGS[candidate.metric];
  if (!ranking) throw new Error(`no checkpoint ranking for metric '${candidate.metric}'`);
  return ranking.higherIsBetter ? candidate.value > best.value : candidate.value < best.value;
}

/** `checkpoints/best`, or the copy a save interrupted between its renames left aside. */
function bestStateFile(run: string): string | undefined {
  const folder = bestCheckpointFolder(run);
  if (existsSync(join(folder, 'state.json'))) return join(folder, 'state.json');
  const parent = dirname(folder);
  if (!existsSync(parent)) return undefined;
  const aside = readdirSync(parent)
    .filter((name) => name.startsWith(`${basename(folder)}.previous-`))
    .sort()
    .at(-1);
  return aside === undefined ? undefined : join(parent, aside, 'state.json');
}

function isBestInfo(value: unknown): value is BestCheckpointInfo {
  if (value === null || typeof value !== 'object') return false;
  const info = value as Record<string, unknown>;
  return (
    typeof info['metric'] === 'string' &&
    typeof info['value'] === 'number' &&
    typeof info['step'] === 'number' &&
    typeof info['samples'] === 'number'
  );
}

/** What `<run>/checkpoints/best` was chosen by, or undefined when the run has no best checkpoint yet. */
export function readBestCheckpoint(run: string): BestCheckpointInfo | undefined {
  const path = bestStateFile(run);
  if (path === undefined || !existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as { extra?: { best?: unknown } };
    return isBestInfo(state.extra?.best) ? state.extra.best : undefined;
  } catch {
    return undefined;
  }
}
