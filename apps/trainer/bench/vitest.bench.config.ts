import { defineConfig } from 'vitest/config';

/**
 * Runs the trainer's benchmark (`pnpm bench`) through vitest so workspace packages resolve to their
 * sources (the `@ratlip/source` condition) without a build. One file, one worker, no JSON test report.
 */
export default defineConfig({
  resolve: { conditions: ['@ratlip/source'] },
  ssr: { resolve: { conditions: ['@ratlip/source'] } },
  test: {
    include: ['bench/**/*.bench-run.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
