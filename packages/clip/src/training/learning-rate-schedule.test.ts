import { describe, expect, it } from 'vitest';
import { warmupCosineLearningRate } from './learning-rate-schedule';

describe('warmupCosineLearningRate', () => {
  const options = { peak: 1e-3, warmupSteps: 4, totalSteps: 14, final: 1e-4 };

  it('warms up linearly to the peak, then follows a half cosine down to the final rate', () => {
    expect(warmupCosineLearningRate(0, options)).toBeCloseTo(2.5e-4, 12);
    expect(warmupCosineLearningRate(3, options)).toBeCloseTo(1e-3, 12);
    expect(warmupCosineLearningRate(4, options)).toBeCloseTo(1e-3, 12);
    expect(warmupCosineLearningRate(9, options)).toBeCloseTo(1e-4 + 0.5 * 9e-4, 12);
    expect(warmupCosineLearningRate(14, options)).toBe(1e-4);
    expect(warmupCosineLearningRate(100, options)).toBe(1e-4);
    const decay = Array.from({ length: 10 }, (_, i) => warmupCosineLearningRate(4 + i, options));
    for (let i = 1; i < decay.length; i++) expect(decay[i]).toBeLessThan(decay[i - 1]!);
  });

  it('starts at the peak without warm-up and ends at 0 by default', () => {
    expect(warmupCosineLearningRate(0, { peak: 0.1, totalSteps: 10 })).toBe(0.1);
    expect(warmupCosineLearningRate(10, { peak: 0.1, totalSteps: 10 })).toBe(0);
  });

  it('names the bad option', () => {
    expect(() => warmupCosineLearningRate(0, { peak: 0, totalSteps: 10 })).toThrow(/'peak' must be > 0/);
    expect(() => warmupCosineLearningRate(0, { peak: 1, warmupSteps: 10, totalSteps: 10 })).toThrow(
      /'totalSteps' must be an integer > warmupSteps/,
    );
    expect(() => warmupCosineLearningRate(0, { peak: 1, totalSteps: 10, final: 2 })).toThrow(
      /'final' must be in/,
    );
    expect(() => warmupCosineLearningRate(-1, { peak: 1, totalSteps: 10 })).toThrow(/step must be/);
  });
});
