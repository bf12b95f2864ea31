/** What {@link estimateRunLength} fits a run's length from. */
export interface RunLengthInput {
  /** Steps taken so far. */
  step: number;
  /** Time left in the budget, in milliseconds. */
  remainingMs: number;
  /** Mean wall time of one training step (data, step and logging), in milliseconds. */
  msPerStep: number;
  /** Time of one zero-shot evaluation in milliseconds; 0 when there is none. */
  evaluationMs: number;
  /** Steps between evaluations during training; 0 for none (one still runs at the end when timed). */
  evalEvery: number;
}

/**
 * The length (total steps) that fits a time budget: the remaining time, less one final evaluation,
 * divided by the step time plus each step's share of the periodic evaluations. At least one more step.
 */
export function estimateRunLength(input: RunLengthInput): number {
  const { step, remainingMs, msPerStep, evaluationMs, evalEvery } = input;
  const perStep = msPerStep + (evalEvery > 0 ? evaluationMs / evalEvery : 0);
  return step + Math.max(1, Math.floor((remainingMs - evaluationMs) / perStep));
}
