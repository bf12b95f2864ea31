import type { CliIO } from '../cli-io';

/** One progress update of a CLIP pretraining sitting. */
export interface PretrainProgressUpdate {
  step: number;
  /** Step the sitting stops at, or null while unknown. */
  totalSteps: number | null;
  /** Milliseconds since the sitting started. */
  elapsedMs: number;
  /** Time budget of the sitting in milliseconds, or null. */
  budgetMs: number | null;
  /** Steps done in this sitting. */
  sittingSteps: number;
  loss: number;
  /** In-batch image-to-text top-1 accuracy of the step. */
  accuracy: number;
  stepMs: number;
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Estimated milliseconds left: the sooner of the step and the time budget; null when neither is known. */
function remainingMs(update: PretrainProgressUpdate): number | null {
  const perStep = update.elapsedMs / Math.max(1, update.sittingSteps);
  const bySteps = update.totalSteps === null ? null : (update.totalSteps - update.step) * perStep;
  const byTime = update.budgetMs === null ? null : update.budgetMs - update.elapsedMs;
  const known = [bySteps, byTime].filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(0, Math.min(...known));
}

/**
 * Progress of `ratlip clip pretrain`: a redrawn bar with ETA on a terminal (stderr), one JSON object per
 * step otherwise (stdout), as `ratlip train` does.
 */
export class PretrainProgress {
  constructor(private readonly io: CliIO) {}

  /** Reports one step. */
  update(update: PretrainProgressUpdate): void {
    const eta = remainingMs(update);
    if (this.io.stderr.isTTY) {
      const fraction = eta === null ? 0 : update.elapsedMs / Math.max(1, update.elapsedMs + eta);
      const filled = Math.round(fraction * 24);
      const steps = update.totalSteps === null ? `${update.step}` : `${update.step}/${update.totalSteps}`;
      this.io.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(24 - filled)}] step ${steps}  loss ${update.loss.toFixed(3)}  ` +
          `batch acc ${update.accuracy.toFixed(2)}  ${update.stepMs.toFixed(0)} ms/step  ` +
          `elapsed ${formatDuration(update.elapsedMs)}  ETA ${eta === null ? '?' : formatDuration(eta)}  `,
      );
      return;
    }
    this.io.stdout.write(
      `${JSON.stringify({
        event: 'step',
        step: update.step,
        loss: update.loss,
        accuracy: update.accuracy,
        stepMs: update.stepMs,
        etaSeconds: eta === null ? null : Math.round(eta / 1000),
      })}\n`,
    );
  }

  /** Reports an event: a line on a terminal, a JSON object otherwise. */
  event(name: string, fields: Record<string, unknown>, message: string): void {
    if (this.io.stderr.isTTY) this.io.stderr.write(`\n${message}\n`);
    else this.io.stdout.write(`${JSON.stringify({ event: name, ...fields })}\n`);
  }
}
