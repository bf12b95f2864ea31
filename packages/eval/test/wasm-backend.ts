import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

/**
 * Switches tfjs to the wasm backend for heavy forward tests. `@tensorflow/tfjs-backend-wasm` is a
 * dependency of @ratlip/runtime, not of this package, so it is resolved from runtime's folder.
 */
export async function useWasmBackend(): Promise<void> {
  if (!tf.findBackendFactory('wasm')) {
    const requireFromRuntime = createRequire(
      createRequire(import.meta.url).resolve('@ratlip/runtime/package.json'),
    );
    await import(requireFromRuntime.resolve('@tensorflow/tfjs-backend-wasm'));
  }
  await tf.setBackend('wasm');
  await tf.ready();
}
