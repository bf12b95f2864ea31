import { join } from 'node:path';
import type { MetricReport } from '@ratlip/eval';
import { appendJsonLine, readJsonLines } from './json-lines';
import { RUN_FILES } from './run-folder';

/** What wrote an evaluation: the training loop (every `evalEvery` steps and at the end) or `ratlip eval`. */
export type EvaluationOrigin = 'training' | 'ratlip eval';

/** One line of `eval.jsonl`. */
export interface EvaluationRecord {
  /** ISO time of the evaluation. */
  time: string;
  /** The checkpoint folder evaluated, or null for a model evaluated in memory at a step without one. */
  checkpoint: string | null;
  /** Training step of the evaluated weights. */
  step: number;
  /** Where the captions came from, e.g. `'shapes heldout'`. */
  captions: string;
  /** Images generated. */
  samples: number;
  /** Seed of the generator noise. */
  seed: number;
  by: EvaluationOrigin;
  /** tfjs backend the evaluation ran on. */
  backend: string;
  /**
   * `'training'` when the generator's training weights were evaluated although the checkpoint keeps a
   * moving average; absent for the weights sampling uses (the average when kept).
   */
  weights?: 'training';
  metrics: MetricReport[];
}

function isEvaluationRecord(value: Record<string, unknown>): boolean {
  return typeof value['step'] === 'number' && Array.isArray(value['metrics']);
}

/** The records of `<run>/eval.jsonl`, oldest first (unreadable lines skipped). */
export function readEvaluations(run: string): EvaluationRecord[] {
  return readJsonLines(join(run, RUN_FILES.evaluation))
    .filter(isEvaluationRecord)
    .map((record) => record as unknown as EvaluationRecord);
}

/** Appends a record to `<run>/eval.jsonl`. */
export function appendEvaluation(run: string, record: EvaluationRecord): void {
  appendJsonLine(join(run, RUN_FILES.evaluation), record);
}

/** The report of `metric` in `record`, if it was computed. */
export function metricReport(record: EvaluationRecord, metric: string): MetricReport | undefined {
  return record.metrics.find((report) => report.metric === metric);
}
