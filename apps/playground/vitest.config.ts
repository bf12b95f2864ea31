import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

/**
 * Unit tests (`src/**\/*.test.ts`) and the browser end-to-end test (`e2e/*.e2e.ts`) in one run, so the
 * package's report counts both. The e2e test builds the site and drives Chromium: generous timeouts,
 * no timed assertions.
 */
export default mergeConfig(
  packageTestConfig({ testTimeout: 300_000 }),
  defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'e2e/**/*.e2e.ts'],
      hookTimeout: 900_000,
    },
  }),
);
