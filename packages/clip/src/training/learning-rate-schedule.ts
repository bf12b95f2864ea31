/** Options of {@link warmupCosineLearningRate}. */
export interface WarmupCosineOptions {
  /** Learning rate reached at the end of warm-up, where the cosine decay starts. Must be > 0. */
  peak: number;
  /** Steps of linear warm-up from `peak / warmupSteps` to `peak`. Default 0 (start at `peak`). */
  warmupSteps?: number;
  /** Step at which the cosine reaches `final`; later steps stay at `final`. Must exceed `warmupSteps`. */
  totalSteps: number;
  /** Learning rate at and after `totalSteps`. Default 0. */
  final?: number;
}

/**
 * CLIP's learning-rate schedule (as open_clip's `cosine_lr`): linear warm-up `peak * (step + 1) / warmupSteps`
 * for the first `warmupSteps` steps, then a half cosine from `peak` down to `final` at `totalSteps`.
 * @param step 0-based index of the optimizer step about to be taken.
 * @returns the learning rate of that step.
 */
export function warmupCosineLearningRate(step: number, options: WarmupCosineOptions): number {
  const { peak, totalSteps } = options;
  const warmupSteps = options.warmupSteps ?? 0;
  const final = options.final ?? 0;
  checkWarmupCosineOptions(options);
  if (!Number.isInteger(step) || step < 0) {
    throw new Error(`warmupCosineLearningRate: step must be a non-negative integer, got ${step}`);
  }
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (step >= totalSteps) return final;
  const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
  return final + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - final);
}

/** Throws naming the field when a schedule option is out of range. */
export function checkWarmupCosineOptions(options: WarmupCosineOptions, where = 'WarmupCosineOptions'): void {
  const { peak, totalSteps } = options;
  const warmupSteps = options.warmupSteps ?? 0;
  const final = options.final ?? 0;
  if (!(Number.isFinite(peak) && peak > 0)) throw new Error(`${where}: 'peak' must be > 0, got ${peak}`);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new Error(`${where}: 'warmupSteps' must be a non-negative integer, got ${warmupSteps}`);
  }
  if (!Number.isInteger(totalSteps) || totalSteps <= warmupSteps) {
    throw new Error(
      `${where}: 'totalSteps' must be an integer > warmupSteps (${warmupSteps}), got ${totalSteps}`,
    );
  }
  if (!(Number.isFinite(final) && final >= 0 && final <= peak)) {
    throw new Error(`${where}: 'final' must be in [0, peak], got ${final}`);
  }
}
