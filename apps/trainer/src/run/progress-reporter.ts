import type { CliIO } from '../cli-io';

/** One progress update of a training run. */
export interface TrainProgress {
  step: number;
  /** Step budget, or null. */
  totalSteps: number | null;
  /** Milliseconds since this sitting started. */
  elapsedMs: number;
  /** Time budget of this sitting in milliseconds, or null. */
  budgetMs: number | null;
  /** Steps done in this sitting. */
  sittingSteps: number;
  /** Losses of the step. */
  d: number;
  g: number;
  stepMs: number;
}

/** An evaluation during training, as {@link ProgressReporter.evaluation} reports it. */
export interface TrainEvaluationSummary {
  step: number;
  /** The ranking metric, e.g. `shapes-alignment`. */
  metric: string;
  value: number;
  /** Partial figures, e.g. accuracy per Shapes attribute. */
  breakdown?: Record<string, number>;
  /** Whether this evaluation made a new best checkpoint. */
  best: boolean;
  /** Folder of the best checkpoint. */
  bestCheckpoint: string;
}

/** Breakdown entries a terminal line shows. */
const SUMMARY_ATTRIBUTES: readonly string[] = ['colour', 'shape', 'size', 'position'];

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Estimated milliseconds left: the sooner of the step and the time budget. */
function remainingMs(progress: TrainProgress): number | null {
  const perStep = progress.elapsedMs / Math.max(1, progress.sittingSteps);
  const bySteps = progress.totalSteps === null ? null : (progress.totalSteps - progress.step) * perStep;
  const byTime = progress.budgetMs === null ? null : progress.budgetMs - progress.elapsedMs;
  const candidates = [bySteps, byTime].filter((value): value is number => value !== null);
  return candidates.length === 0 ? null : Math.max(0, Math.min(...candidates));
}

/**
 * Reports training progress: a redrawn bar with ETA on a terminal (stderr), one JSON object per line
 * otherwise (stdout), so logs and pipes get machine-readable records.
 */
export class ProgressReporter {
  constructor(private readonly io: CliIO) {}

  /** Reports one step. */
  update(progress: TrainProgress): void {
    const eta = remainingMs(progress);
    if (this.io.stderr.isTTY) {
      const fraction = eta === null ? 0 : progress.elapsedMs / Math.max(1, progress.elapsedMs + eta);
      const filled = Math.round(fraction * 24);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(24 - filled)}`;
      const steps =
        progress.totalSteps === null ? `${progress.step}` : `${progress.step}/${progress.totalSteps}`;
      this.io.stderr.write(
        `\r[${bar}] step ${steps}  D ${progress.d.toFixed(3)}  G ${progress.g.toFixed(3)}  ${progress.stepMs.toFixed(0)} ms/step  elapsed ${formatDuration(progress.elapsedMs)}  ETA ${eta === null ? '?' : formatDuration(eta)}  `,
      );
      return;
    }
    this.io.stdout.write(
      `${JSON.stringify({ event: 'step', step: progress.step, d: progress.d, g: progress.g, stepMs: progress.stepMs, etaSeconds: eta === null ? null : Math.round(eta / 1000) })}\n`,
    );
  }

  /**
   * Reports an evaluation made during training: one line on a terminal, an `evaluation` JSON object
   * otherwise (with the figure's breakdown, e.g. Shapes alignment per attribute).
   */
  evaluation(summary: TrainEvaluationSummary): void {
    const parts = Object.entries(summary.breakdown ?? {})
      .filter(([name]) => SUMMARY_ATTRIBUTES.includes(name))
      .map(([name, value]) => `${name} ${value.toFixed(3)}`);
    this.event(
      'evaluation',
      { ...summary },
      `step ${summary.step}: ${summary.metric} ${summary.value.toFixed(3)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${summary.best ? `, the best so far: saved as ${summary.bestCheckpoint}` : ''}`,
    );
  }

  /** Reports a run event (checkpoint written, finished, interrupted) as a line or JSON object. */
  event(name: string, fields: Record<string, unknown>, message: string): void {
    if (this.io.stderr.isTTY) this.io.stderr.write(`\n${message}\n`);
    else this.io.stdout.write(`${JSON.stringify({ event: name, ...fields })}\n`);
  }
}
