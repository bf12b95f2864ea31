import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { TFJS_WASM_FOLDER } from '../src/tfjs-wasm-folder.ts';

/** The binaries of @tensorflow/tfjs-backend-wasm (plain, SIMD, threaded SIMD). */
export const TFJS_WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/**
 * The `dist` folder of the @tensorflow/tfjs-backend-wasm that @ratlip/runtime depends on (the app
 * reaches the wasm backend only through the runtime, so that is the copy the bundle runs).
 */
export function tfjsWasmDistFolder(): string {
  const fromApp = createRequire(import.meta.url);
  const runtimePackage = fromApp.resolve('@ratlip/runtime/package.json');
  const wasmPackage = createRequire(runtimePackage).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(wasmPackage), 'dist');
}

/**
 * Serves the tfjs wasm binaries from the app itself under `tfjs-wasm/` (dev server middleware; copied
 * into the build), so the wasm backend never asks a CDN for them.
 */
export function tfjsWasmAssets(): Plugin {
  const folder = tfjsWasmDistFolder();
  const prefix = `/${TFJS_WASM_FOLDER}/`;
  return {
    name: 'ratlip-tfjs-wasm-assets',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = request.url?.split('?')[0] ?? '';
        const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
        if (!(TFJS_WASM_FILES as readonly string[]).includes(name)) {
          next();
          return;
        }
        response.setHeader('Content-Type', 'application/wasm');
        response.end(readFileSync(join(folder, name)));
      });
    },
    generateBundle() {
      for (const name of TFJS_WASM_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `${TFJS_WASM_FOLDER}/${name}`,
          source: readFileSync(join(folder, name)),
        });
      }
    },
  };
}
