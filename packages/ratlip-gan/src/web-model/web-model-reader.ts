import { sha256Hex } from './sha256';
import {
  parseWebModelManifestText,
  WEB_MODEL_FILE_ROLES,
  WEB_MODEL_MANIFEST_FILE,
  type WebModelFile,
  type WebModelFileRole,
  type WebModelManifest,
} from './web-model-manifest';

/** A web model's manifest with the verified contents of its weight files. */
export interface WebModelBytes {
  manifest: WebModelManifest;
  /** Contents of each weight file (safetensors bytes), sizes and SHA-256 checked against the manifest. */
  weights: Record<WebModelFileRole, Uint8Array>;
  /** Names the model's origin in messages: a manifest URL, a folder, `'local files'`. */
  label: string;
}

/** What reading has reached, for a progress bar. */
export interface WebModelReadProgress {
  /** `'manifest'` before the manifest is read, then `'download'` per chunk and `'verify'` per file. */
  stage: 'manifest' | 'download' | 'verify';
  /** Bytes of weight files read so far, over all files. */
  loadedBytes: number;
  /** Bytes of all weight files (from the manifest; 0 until it is read). */
  totalBytes: number;
  /** The file being read, relative to the manifest's folder. */
  file: string;
}

/** One weight file asked of a {@link WebModelFileSource}. */
export interface WebModelFileRequest {
  /** The file's role, for messages such as `files.generator ... answered HTTP 404`. */
  role: WebModelFileRole;
  /** The manifest's entry: `path` (relative to the manifest's folder, never leaving it) and `bytes`. */
  file: WebModelFile;
  /** To be called with the size of each chunk as it arrives (once with the whole size is fine). */
  onBytes: (byteCount: number) => void;
}

/**
 * Where a web model's files come from: a served folder (fetch), files a user picked, a folder on disk.
 * The format's reader ({@link readWebModelFolder}) validates and verifies whatever the source returns,
 * so a source only fetches bytes and decides which locations it allows.
 */
export interface WebModelFileSource {
  /** Names the model in messages and becomes {@link WebModelBytes.label}. */
  label: string;
  /** The manifest's text, and the name (URL or path) errors about its fields should carry. */
  readManifest(): Promise<{ text: string; source: string }>;
  /** The contents of one weight file. */
  readFile(request: WebModelFileRequest): Promise<Uint8Array>;
}

/** Options of {@link readWebModelFolder}. */
export interface ReadWebModelFolderOptions {
  /** Called as reading advances; default none. */
  onProgress?: (progress: WebModelReadProgress) => void;
}

function describeSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${bytes} bytes`;
}

/**
 * Checks a weight file's bytes against its manifest entry: size first (cheap, and the usual sign of
 * an interrupted copy), then SHA-256.
 *
 * @param where names the manifest in the message (its URL or path).
 * @throws naming the manifest, the role and file, and both sizes or both hashes.
 */
export async function verifyWebModelFile(
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

/**
 * Reads a web model from any {@link WebModelFileSource}: the manifest (validated with
 * `parseWebModelManifestText`), then every weight file in {@link WEB_MODEL_FILE_ROLES} order, each
 * checked against the manifest's size and SHA-256 before the next is read.
 *
 * @throws WebModelFormatError for a manifest that breaks the format; an Error naming the file for a
 *   size or hash mismatch; whatever the source throws for a file it cannot read.
 */
export async function readWebModelFolder(
  source: WebModelFileSource,
  options: ReadWebModelFolderOptions = {},
): Promise<WebModelBytes> {
  options.onProgress?.({ stage: 'manifest', loadedBytes: 0, totalBytes: 0, file: WEB_MODEL_MANIFEST_FILE });
  const manifestText = await source.readManifest();
  const manifest = parseWebModelManifestText(manifestText.text, manifestText.source);
  const totalBytes = WEB_MODEL_FILE_ROLES.reduce((sum, role) => sum + manifest.files[role].bytes, 0);
  let loadedBytes = 0;
  const weights = {} as Record<WebModelFileRole, Uint8Array>;
  for (const role of WEB_MODEL_FILE_ROLES) {
    const file = manifest.files[role];
    const bytes = await source.readFile({
      role,
      file,
      onBytes: (byteCount) => {
        loadedBytes += byteCount;
        options.onProgress?.({ stage: 'download', loadedBytes, totalBytes, file: file.path });
      },
    });
    options.onProgress?.({ stage: 'verify', loadedBytes, totalBytes, file: file.path });
    await verifyWebModelFile(bytes, file, role, manifestText.source);
    weights[role] = bytes;
  }
  return { manifest, weights, label: source.label };
}
