import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';

/** apps/trainer */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let built: Promise<URL> | undefined;

/**
 * The replica thread's script for tests, which run the sources: the worker entry bundled with the
 * workspace packages' sources (the `@ratlip/source` condition, as vitest resolves them) into
 * `node_modules/.cache/replica-worker-test` of this package, where its npm dependencies resolve.
 * Built once per test process (tsup replaces the previous build).
 */
export function replicaWorkerForTests(): Promise<URL> {
  built ??= (async () => {
    const outDir = join(PACKAGE_ROOT, 'node_modules', '.cache', 'replica-worker-test');
    await build({
      config: false,
      entry: { 'replica-worker': join(PACKAGE_ROOT, 'src/run/data-parallel/replica-worker.ts') },
      outDir,
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      splitting: false,
      sourcemap: false,
      silent: true,
      noExternal: [/^@ratlip\//],
      // Every other bare import stays an import, resolved from this package's node_modules at run time.
      external: [/^(?!@ratlip\/|\.|\/)/],
      esbuildOptions: (options) => {
        options.conditions = ['@ratlip/source'];
      },
    });
    return pathToFileURL(join(outDir, 'replica-worker.js'));
  })();
  return built;
}
