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
