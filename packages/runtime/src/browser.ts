import { registerBackendProvider } from './backends/backend-registry';
import { webglBackend } from './backends/webgl-backend';
import { webgpuBackend } from './backends/webgpu-backend';

/**
 * Makes the browser-only backends available to useBackend(): 'webgpu' (needs the optional peer
 * @tensorflow/tfjs-backend-webgpu installed, loaded on first use) and 'webgl'. Browser apps call it
 * once before useBackend('auto'), which then tries webgpu, webgl, wasm, cpu. Idempotent.
 */
export function registerBrowserBackends(): void {
  registerBackendProvider(webgpuBackend);
  registerBackendProvider(webglBackend);
}
