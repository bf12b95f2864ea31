import { defineConfig } from 'vitest/config';

/**
 * Shared test settings. Workspace packages resolve to their TypeScript sources through the
 * `@ratlip/source` export condition, so tests never need a build first. Each package also writes a
 * JSON report that `tools/test-summary.mjs` sums into the suite's closing line.
 */
export function packageTestConfig(options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@ratlip/source'] },
    ssr: { resolve: { conditions: ['@ratlip/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results/vitest.json' },
    },
  });
}

/**
 * Settings of a benchmark run through vitest (`pnpm bench`): workspace sources as in tests, one file
 * at a time in one worker, printed straight to the terminal, no JSON report.
 */
export function packageBenchConfig(options: { include: string[]; testTimeout: number }) {
  return defineConfig({
    resolve: { conditions: ['@ratlip/source'] },
    ssr: { resolve: { conditions: ['@ratlip/source'] } },
    test: {
      include: options.include,
      testTimeout: options.testTimeout,
      hookTimeout: 600_000,
      pool: 'forks',
      fileParallelism: false,
      reporters: ['default'],
    },
  });
}
