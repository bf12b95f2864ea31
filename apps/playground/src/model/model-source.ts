import {
  readWebModelFolder,
  WEB_MODEL_MANIFEST_FILE,
  type WebModelBytes,
  type WebModelFileSource,
  type WebModelReadProgress,
} from '@ratlip/ratlip-gan';

/** Where a web model comes from. Both kinds can be posted to a worker (URLs and `File`s clone). */
export type ModelSource =
  /** A served folder: the absolute URL of its `manifest.json`, on the page's own origin. */
  | { kind: 'url'; manifestUrl: string }
  /** Files the user picked: `manifest.json` and the weight files it lists (folder or loose files). */
  | { kind: 'files'; files: File[] };

/** Options of {@link readWebModel}. */
export interface ReadWebModelOptions {
  /** Called as reading advances; default none. */
  onProgress?: (progress: WebModelReadProgress) => void;
  /**
   * Origin every URL must be on; default `globalThis.location.origin` when there is one. A manifest on
   * another origin is refused, so the page never sends a request elsewhere.
   */
  origin?: string;
}

async function readBody(
  response: Response,
  onChunk: (bytes: number) => void,
  expectedBytes: number,
): Promise<Uint8Array> {
  if (response.body === null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onChunk(value.byteLength);
  }
  if (chunks.length === 1 && received === expectedBytes) return chunks[0]!;
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function fetchOk(url: URL, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(
      `${what} ${url.href} could not be fetched (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!response.ok)
    throw new Error(`${what} ${url.href} answered HTTP ${response.status} ${response.statusText}`);
  return response;
}

function sameOriginUrl(href: string, origin: string | undefined, what: string): URL {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new Error(`${what} '${href}' is not an absolute URL`);
  }
  if (origin !== undefined && url.origin !== origin) {
    throw new Error(
      `${what} ${url.href} is on another origin than the page (${origin}); models load only from the page's own origin`,
    );
  }
  return url;
}

/** A served model folder, fetched with streaming progress; every URL checked against `origin`. */
function urlSource(manifestHref: string, origin: string | undefined): WebModelFileSource {
  const manifestUrl = sameOriginUrl(manifestHref, origin, 'model manifest');
  return {
    label: manifestUrl.href,
    readManifest: async () => {
      const response = await fetchOk(manifestUrl, 'model manifest');
      return { text: await response.text(), source: manifestUrl.href };
    },
    readFile: async ({ role, file, onBytes }) => {
      const url = sameOriginUrl(new URL(file.path, manifestUrl).href, origin, `files.${role}`);
      return readBody(await fetchOk(url, `files.${role}`), onBytes, file.bytes);
    },
  };
}

function relativePathOf(file: File): string {
  // Empty for loose files in browsers; undefined outside them.
  return file.webkitRelativePath || file.name;
}

/**
 * The picked file that stands for `path` (relative to the manifest's folder): the one whose
 * relative path ends with it, else the only one with its base name.
 */
export function findPickedFile(files: readonly File[], path: string, what: string): File {
  const bySuffix = files.filter(
    (file) => relativePathOf(file) === path || relativePathOf(file).endsWith(`/${path}`),
  );
  if (bySuffix.length === 1) return bySuffix[0]!;
  const baseName = path.slice(path.lastIndexOf('/') + 1);
  const byName = files.filter((file) => file.name === baseName);
  if (byName.length === 1) return byName[0]!;
  const picked = files.map((file) => relativePathOf(file)).join(', ') || 'none';
  throw new Error(
    byName.length === 0
      ? `${what} '${path}' is not among the picked files (${picked}); pick the whole exported folder`
      : `${what}: ${byName.length} picked files are named '${baseName}' (${picked}); pick one exported folder`,
  );
}

/** Files the user picked: a whole exported folder or loose files. */
function pickedFilesSource(files: readonly File[]): WebModelFileSource {
  return {
    label: 'local files',
    readManifest: async () => {
      const manifestFile = findPickedFile(files, WEB_MODEL_MANIFEST_FILE, 'the model manifest');
      return { text: await manifestFile.text(), source: relativePathOf(manifestFile) };
    },
    readFile: async ({ role, file, onBytes }) => {
      const bytes = new Uint8Array(await findPickedFile(files, file.path, `files.${role}`).arrayBuffer());
      onBytes(bytes.byteLength);
      return bytes;
    },
  };
}

/**
 * Reads a web model with the format's reader (`readWebModelFolder` of `@ratlip/ratlip-gan`): the
 * manifest (validated), then every weight file, each checked against the manifest's size and SHA-256.
 * URLs must be on the page's origin.
 *
 * @throws naming the file and what is wrong (HTTP status, size, hash, manifest field).
 */
export async function readWebModel(
  source: ModelSource,
  options: ReadWebModelOptions = {},
): Promise<WebModelBytes> {
  const fileSource =
    source.kind === 'url'
      ? urlSource(source.manifestUrl, options.origin ?? globalThis.location?.origin)
      : pickedFilesSource(source.files);
  return readWebModelFolder(fileSource, options.onProgress ? { onProgress: options.onProgress } : {});
}
