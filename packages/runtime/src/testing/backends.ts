import { beforeAll, beforeEach, describe } from 'vitest';
import type { BackendInfo, ConcreteBackendName } from '../backends/backend-types';
import { useBackend } from '../backends/use-backend';

/** Options of {@link describeEachBackend}. */
export interface DescribeEachBackendOptions {
  /**
   * Backends whose absence skips their suite instead of failing it. Default: every backend except
   * 'cpu' and 'wasm', which are dependencies of @ratlip/runtime and so must load.
   */
  optional?: readonly ConcreteBackendName[];
}

/**
 * Declares the vitest suite `body` once per backend, named `title [backend]`, switching to that
 * backend (with useBackend, so the wasm training kernels are registered) before its tests run.
 * A missing optional backend (native, GPU) skips its suite's tests; a missing required one fails.
 *
 * @param backends e.g. ['cpu', 'wasm'].
 * @param body receives the backend name and a getter of its {@link BackendInfo}, valid inside tests.
 */
export function describeEachBackend(
  backends: readonly ConcreteBackendName[],
  title: string,
  body: (backend: ConcreteBackendName, info: () => BackendInfo) => void,
  options: DescribeEachBackendOptions = {},
): void {
  const optional = options.optional ?? backends.filter((backend) => backend !== 'cpu' && backend !== 'wasm');
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      let active: BackendInfo | undefined;
      let unavailable: string | undefined;
      beforeAll(async () => {
        try {
          active = await useBackend(backend);
        } catch (error) {
          if (!optional.includes(backend)) throw error;
          unavailable = error instanceof Error ? error.message : String(error);
        }
      });
      // Suites run one after another but other suites may switch backends in between: switch back.
      beforeEach(async (context) => {
        if (unavailable !== undefined) {
          context.skip(unavailable);
          return;
        }
        active = await useBackend(backend);
      });
      body(backend, () => {
        if (active === undefined) throw new Error(`describeEachBackend: ${backend} is not active yet`);
        return active;
      });
    });
  }
}
