import { BackendUnavailableError } from './backend-error';
import type { BackendProvider, ConcreteBackendName } from './backend-types';
import { cpuBackend } from './cpu-backend';
import { tensorflowBackend, tensorflowGpuBackend } from './tensorflow-node-backend';
import { wasmBackend } from './wasm-backend';

/** Backends whose providers live behind the browser entry, so Node never loads their packages. */
const browserOnly: Partial<Record<ConcreteBackendName, string>> = {
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

/** The one place backends are looked up. Browser backends join through registerBackendProvider(). */
const providers = new Map<ConcreteBackendName, BackendProvider>([
  [cpuBackend.name, cpuBackend],
  [wasmBackend.name, wasmBackend],
  [tensorflowBackend.name, tensorflowBackend],
  [tensorflowGpuBackend.name, tensorflowGpuBackend],
]);

/** Adds or replaces the provider of a backend (the browser entry registers webgl and webgpu). */
export function registerBackendProvider(provider: BackendProvider): void {
  providers.set(provider.name, provider);
}

/** The provider of `name`; throws naming what to import or install when there is none. */
export function getBackendProvider(name: ConcreteBackendName): BackendProvider {
  const provider = providers.get(name);
  if (provider !== undefined) return provider;
  const packageName = browserOnly[name];
  if (packageName !== undefined) {
    throw new BackendUnavailableError(
      name,
      packageName,
      `browser backends are opt-in: call registerBrowserBackends() from '@ratlip/runtime/browser' first`,
    );
  }
  throw new BackendUnavailableError(
    name,
    'unknown',
    `unknown backend; expected one of ${[...providers.keys()].join(', ')}`,
  );
}
