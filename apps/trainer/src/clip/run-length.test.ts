import { describe, expect, it } from 'vitest';
import { estimateRunLength } from './run-length';

describe('estimateRunLength', () => {
  it('fills the remaining time with steps, leaving room for the evaluations', () => {
    const base = { step: 11, remainingMs: 600_000, msPerStep: 1000, evaluationMs: 0, evalEvery: 0 };
    expect(estimateRunLength(base)).toBe(611);
    expect(estimateRunLength({ ...base, evaluationMs: 10_000 })).toBe(11 + 590);
    expect(estimateRunLength({ ...base, evaluationMs: 10_000, evalEvery: 100 })).toBe(
      11 + Math.floor(590_000 / 1100),
    );
  });

  it('always takes at least one more step', () => {
    expect(
      estimateRunLength({ step: 11, remainingMs: 10, msPerStep: 1000, evaluationMs: 5000, evalEvery: 1 }),
    ).toBe(12);
  });
});
