import type { FileSource } from '../types';

/**
 * Reads dataset files over HTTP(S) with `fetch`: a dataset root such as
 * `https://example.org/data/birds` (or a path relative to the page). A 404 means "missing"; other
 * failures throw. Folders cannot be listed over HTTP, so the `folder` kind needs a manifest instead.
 */
export function fetchFileSource(init: RequestInit = {}): FileSource {
  return {
    description: 'HTTP (fetch)',
    async read(path: string): Promise<Uint8Array | undefined> {
      const response = await fetch(path, init);
      if (response.status === 404 || response.status === 410) return undefined;
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${response.statusText}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
