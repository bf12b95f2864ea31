import { defineConfig } from 'vitest/config';

/**
 * `pnpm bench`: runs bench/*.bench.ts as ordinary vitest files (TypeScript without a build step),
 * one at a time, printing straight to the terminal.
 */
export default defineConfig({
  resolve: { conditions: ['@ratlip/source'] },
  ssr: { resolve: { conditions: ['@ratlip/source'] } },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    disableConsoleIntercept: true,
    reporters: ['default'],
  },
});
