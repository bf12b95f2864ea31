import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShapesDataset } from '@ratlip/datasets';
import { type EvalBatch, evaluateMetrics, type MetricReport, type MetricRequest } from '@ratlip/eval';
import { CliFailure } from '../cli-errors';
import { loadRunModel } from './load-run-model';
import { PLACEHOLDER_CLIP_SEED } from './placeholder-clip';
import { RUN_FILES, resolveCheckpoint } from './run-folder';

/** Metrics `ratlip eval` computes from a run alone (FID and KID also need reference statistics). */
export const RUN_METRICS = ['shapes-alignment', 'clip-score'] as const;

/** A metric name {@link evaluateRun} accepts. */
export type RunMetric = (typeof RUN_METRICS)[number];

/** Images generated per generator call during evaluation. */
const EVAL_BATCH = 16;

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** Run folder (newest checkpoint) or checkpoint folder. */
  source: string;
  metrics: readonly RunMetric[];
  /** Images generated, one per held-out caption (captions repeat when the split is smaller). */
  samples: number;
  /** Seed of the noise. */
  seed: number;
}

/** One line of `eval.jsonl`. */
export interface EvaluationRecord {
  time: string;
  checkpoint: string;
  step: number;
  captions: string;
  samples: number;
  seed: number;
  metrics: MetricReport[];
}

/**
 * Generates `samples` images for Shapes held-out captions (compositions never seen in training) and
 * scores them; appends the record to `<run>/eval.jsonl` when `source` is a run folder. The CLIP score
 * uses the run's own CLIP (the seeded placeholder for now), so it tracks progress within a run only.
 */
export async function evaluateRun(options: EvaluateRunOptions): Promise<EvaluationRecord> {
  const checkpoint = resolveCheckpoint(options.source);
  const loaded = await loadRunModel(options.source);
  try {
    const config = loaded.config;
    const dataset = new ShapesDataset({ split: 'heldout', imageSize: config.imageSize });
    if (dataset.size === 0) throw new CliFailure('the Shapes held-out split is empty');
    const captions: string[] = [];
    for (let index = 0; index < options.samples; index++) {
      captions.push((await dataset.loadCaptions(index % dataset.size))[0]!);
    }
    const requests: MetricRequest[] = options.metrics.map((metric) =>
      metric === 'shapes-alignment'
        ? { metric, options: { dataset } }
        : {
            metric,
            options: {
              model: loaded.runClip.clip,
              tokenizer: loaded.runClip.tokenizer,
              weightsName: `placeholder CLIP (${config.clip.model}, seeded init ${PLACEHOLDER_CLIP_SEED})`,
              preprocessing: 'standard',
            },
          },
    );
    const model = loaded.model;
    function* batches(): Generator<EvalBatch> {
      for (let start = 0; start < captions.length; start += EVAL_BATCH) {
        const texts = captions.slice(start, start + EVAL_BATCH);
        yield { images: model.generate({ texts, seed: options.seed + start }), captions: texts };
      }
    }
    const report = await evaluateMetrics({
      metrics: requests,
      batches: batches(),
      expectedSamples: captions.length,
    });
    const record: EvaluationRecord = {
      time: new Date().toISOString(),
      checkpoint,
      step: loaded.state.step,
      captions: 'shapes heldout',
      samples: report.sampleCount,
      seed: options.seed,
      metrics: report.metrics,
    };
    if (existsSync(join(options.source, RUN_FILES.checkpoints))) {
      appendFileSync(join(options.source, RUN_FILES.evaluation), `${JSON.stringify(record)}\n`);
    }
    return record;
  } finally {
    loaded.dispose();
  }
}

/** Human-readable lines of a record: per-attribute accuracy with its chance level, then the other metrics. */
export function describeEvaluation(record: EvaluationRecord): string[] {
  const lines = [`step ${record.step}, ${record.samples} images for ${record.captions} captions`];
  for (const report of record.metrics) {
    if (report.metric === 'shapes-alignment' && report.breakdown) {
      const b = report.breakdown;
      for (const attribute of ['colour', 'shape', 'size', 'position', 'object', 'count', 'overall']) {
        const chance = b[`chance${attribute[0]!.toUpperCase()}${attribute.slice(1)}`];
        lines.push(
          `  ${attribute.padEnd(9)} ${(b[attribute] ?? 0).toFixed(3)}${chance === undefined ? '' : `  (chance ${chance.toFixed(3)})`}`,
        );
      }
    } else {
      lines.push(`  ${report.metric} ${report.value.toFixed(4)}`);
    }
  }
  return lines;
}
