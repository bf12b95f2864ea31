import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every library package uses: ESM + CJS + declarations, one bundle per entry,
 * dependencies left external so a single @tensorflow/tfjs instance is shared by all packages.
 */
export function libraryConfig(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    ...overrides,
  });
}
