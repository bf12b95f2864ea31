import type { ConcreteBackendName } from './backend-types';

/** Thrown when a requested backend cannot be loaded; names the npm package to install. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';

  constructor(
    readonly backend: ConcreteBackendName,
    readonly packageName: string,
    reason: string,
  ) {
    super(`useBackend('${backend}'): ${reason}`);
  }
}

/** The message of anything thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a failed import says the package itself is not installed (as opposed to installed but
 * broken), in Node's and in Vite's wording.
 */
export function isMissingPackage(error: unknown, packageName: string): boolean {
  const message = describeError(error);
  const code = (error as { code?: unknown } | null)?.code;
  return (
    message.includes(packageName) &&
    (code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      /cannot find (package|module)|could not resolve|failed to (load|resolve)/i.test(message))
  );
}
