import { sha256Hex } from './sha256';
import {
  parseWebModelManifestText,
  WEB_MODEL_FILE_ROLES,
  WEB_MODEL_MANIFEST_FILE,
  type WebModelFile,
  type WebModelFileRole,
  type WebModelManifest,
} from './web-model-manifest';

/** Where a web model comes from. Both kinds can be posted to a worker (URLs and `File`s clone). */
export type ModelSource =
  /** A served folder: the absolute URL of its `manifest.json`, on the page's own origin. */
  | { kind: 'url'; manifestUrl: string }
  /** Files the user picked: `manifest.json` and the weight files it lists (folder or loose files). */
  | { kind: 'files'; files: File[] };

/** A web model's manifest with the verified contents of its weight files. */
export interface WebModelBytes {
  manifest: WebModelManifest;
  /** Contents of each weight file, sizes and SHA-256 checked against the manifest. */
  weights: Record<WebModelFileRole, Uint8Array>;
  /** Names the source in messages: the manifest URL or `'local files'`. */
  label: string;
}

/** What reading has reached, for a progress bar. */
export interface ModelReadProgress {
  stage: 'manifest' | 'download' | 'verify';
  /** Bytes of weight files read so far, over all files. */
  loadedBytes: number;
  /** Bytes of all weight files (from the manifest; 0 until it is read). */
  totalBytes: number;
  /** The file being read. */
  file: string;
}

/** Options of {@link readWebModel}. */
export interface ReadWebModelOptions {
  /** Called as reading advances; default none. */
  onProgress?: (progress: ModelReadProgress) => void;
  /**
   * Origin every URL must be on; default `globalThis.location.origin` when there is one. A manifest on
   * another origin is refused, so the page never sends a request elsewhere.
   */
  origin?: string;
}

function describeSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${bytes} bytes`;
}

async function verify(
  bytes: Uint8Array,
  file: WebModelFile,
  role: WebModelFileRole,
  where: string,
): Promise<void> {
  if (bytes.byteLength !== file.bytes) {
    throw new Error(
      `${where}: files.${role} '${file.path}' is ${describeSize(bytes.byteLength)}, the manifest says ${describeSize(file.bytes)} (${file.bytes} bytes); the folder is incomplete or from another export`,
    );
  }
  const digest = await sha256Hex(bytes);
  if (digest !== file.sha256) {
    throw new Error(
      `${where}: files.${role} '${file.path}' has SHA-256 ${digest}, the manifest says ${file.sha256}; the file is corrupt or from another export`,
    );
  }
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

async function readFromUrl(manifestHref: string, options: ReadWebModelOptions): Promise<WebModelBytes> {
  const origin = options.origin ?? globalThis.location?.origin;
  const manifestUrl = sameOriginUrl(manifestHref, origin, 'model manifest');
  options.onProgress?.({ stage: 'manifest', loadedBytes: 0, totalBytes: 0, file: WEB_MODEL_MANIFEST_FILE });
  const manifestResponse = await fetchOk(manifestUrl, 'model manifest');
  const manifest = parseWebModelManifestText(await manifestResponse.text(), manifestUrl.href);
  const totalBytes = WEB_MODEL_FILE_ROLES.reduce((sum, role) => sum + manifest.files[role].bytes, 0);
  let loadedBytes = 0;
  const weights = {} as Record<WebModelFileRole, Uint8Array>;
  for (const role of WEB_MODEL_FILE_ROLES) {
    const file = manifest.files[role];
    const url = sameOriginUrl(new URL(file.path, manifestUrl).href, origin, `files.${role}`);
    const response = await fetchOk(url, `files.${role}`);
    const bytes = await readBody(
      response,
      (chunk) => {
        loadedBytes += chunk;
        options.onProgress?.({ stage: 'download', loadedBytes, totalBytes, file: file.path });
      },
      file.bytes,
    );
    options.onProgress?.({ stage: 'verify', loadedBytes, totalBytes, file: file.path });
    await verify(bytes, file, role, manifestUrl.href);
    weights[role] = bytes;
  }
  return { manifest, weights, label: manifestUrl.href };
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

async function readFromFiles(files: readonly File[], options: ReadWebModelOptions): Promise<WebModelBytes> {
  const label = 'local files';
  options.onProgress?.({ stage: 'manifest', loadedBytes: 0, totalBytes: 0, file: WEB_MODEL_MANIFEST_FILE });
  const manifestFile = findPickedFile(files, WEB_MODEL_MANIFEST_FILE, 'the model manifest');
  const manifest = parseWebModelManifestText(await manifestFile.text(), relativePathOf(manifestFile));
  const totalBytes = WEB_MODEL_FILE_ROLES.reduce((sum, role) => sum + manifest.files[role].bytes, 0);
  let loadedBytes = 0;
  const weights = {} as Record<WebModelFileRole, Uint8Array>;
  for (const role of WEB_MODEL_FILE_ROLES) {
    const entry = manifest.files[role];
    const file = findPickedFile(files, entry.path, `files.${role}`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    loadedBytes += bytes.byteLength;
    options.onProgress?.({ stage: 'verify', loadedBytes, totalBytes, file: entry.path });
    await verify(bytes, entry, role, relativePathOf(manifestFile));
    weights[role] = bytes;
  }
  return { manifest, weights, label };
}

/**
 * Reads a web model: the manifest (validated), then every weight file, each checked against the
 * manifest's size and SHA-256. URLs must be on the page's origin.
 *
 * @throws naming the file and what is wrong (HTTP status, size, hash, manifest field).
 */
export function readWebModel(source: ModelSource, options: ReadWebModelOptions = {}): Promise<WebModelBytes> {
  return source.kind === 'url'
    ? readFromUrl(source.manifestUrl, options)
    : readFromFiles(source.files, options);
}
