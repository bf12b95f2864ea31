import { sha256Hex } from './sha256';
import {
  parseWebModelManifest,
  WEB_MODEL_DEFAULT_FILE_NAMES,
  WEB_MODEL_FILE_ROLES,
  WEB_MODEL_FORMAT,
  WEB_MODEL_FORMAT_VERSION,
  WEB_MODEL_MANIFEST_FILE,
  type WebModelFileRole,
  type WebModelManifest,
  type WebModelProvenance,
} from './web-model-manifest';

/** What {@link buildWebModel} packages. */
export interface BuildWebModelOptions {
  /** Display name. */
  name: string;
  /** One or two sentences for the model picker; default none. */
  description?: string;
  /** GAN preset name, e.g. `'ratlip-shapes-64'`. */
  preset: string;
  /** The GAN's resolved config (a run's `config.json`). */
  config: Record<string, unknown>;
  /** Contents of each weight file (safetensors bytes), by role. */
  weights: Record<WebModelFileRole, Uint8Array>;
  /** File name of each role; default {@link WEB_MODEL_DEFAULT_FILE_NAMES}. */
  fileNames?: Partial<Record<WebModelFileRole, string>>;
  /** Token positions per caption of the text encoder (77 for CLIP). */
  contextLength: number;
  /** Example captions for the page (1 to 64). */
  sampleCaptions: string[];
  /** Where the model comes from; default none. */
  provenance?: WebModelProvenance;
}

/** A web model ready to write: the manifest and every file of the folder, by relative path. */
export interface WebModelFolder {
  manifest: WebModelManifest;
  /** Relative path to contents, `manifest.json` (pretty-printed, newline-terminated) included. */
  files: Map<string, Uint8Array>;
}

/**
 * Packages weights as a web model (see `web-model-manifest.ts`): sizes and SHA-256 of every file and
 * the manifest. Environment-neutral (writes nothing): `ratlip export --web` writes `files` to a folder,
 * tests serve them. The manifest is validated before it is returned.
 *
 * @throws WebModelFormatError when an option breaks the format (empty name, bad file name...).
 */
export async function buildWebModel(options: BuildWebModelOptions): Promise<WebModelFolder> {
  const files = new Map<string, Uint8Array>();
  const entries = {} as WebModelManifest['files'];
  for (const role of WEB_MODEL_FILE_ROLES) {
    const bytes = options.weights[role];
    const path = options.fileNames?.[role] ?? WEB_MODEL_DEFAULT_FILE_NAMES[role];
    entries[role] = { path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
    files.set(path, bytes);
  }
  const draft: Record<string, unknown> = {
    format: WEB_MODEL_FORMAT,
    formatVersion: WEB_MODEL_FORMAT_VERSION,
    name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    preset: options.preset,
    config: options.config,
    files: entries,
    tokenizer: { kind: 'clip-bpe', contextLength: options.contextLength },
    sampleCaptions: options.sampleCaptions,
    ...(options.provenance === undefined ? {} : { provenance: options.provenance }),
  };
  const manifest = parseWebModelManifest(draft, `${WEB_MODEL_MANIFEST_FILE} being written`);
  files.set(WEB_MODEL_MANIFEST_FILE, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return { manifest, files };
}
