import { defineConfig } from 'vitest/config';

/**
 * Runs the side-by-side benchmark (`pnpm bench:side-by-side` at the repository root) through vitest so
 * workspace packages resolve to their sources (the `@ratlip/source` condition) without a build.
 */
export default defineConfig({
  resolve: { conditions: ['@ratlip/source'] },
  ssr: { resolve: { conditions: ['@ratlip/source'] } },
  test: {
    include: ['bench/side-by-side.run.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
