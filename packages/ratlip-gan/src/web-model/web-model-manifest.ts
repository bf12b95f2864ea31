/**
 * The web-model format: what `ratlip export --web <run>` writes and the playground loads. A model is a
 * folder holding `manifest.json` and the weight files it lists, each with its size and SHA-256:
 *
 * ```text
 * shapes-64/
 *   manifest.json              WebModelManifest
 *   generator.safetensors      the generator under the official NetG state_dict names, its frozen CLIP
 *                              image tower (the mapper) included under `mapping.CLIP_ViT.`, as in an
 *                              official checkpoint
 *   clip-text.safetensors      the CLIP text tower that makes the sentence embeddings (OpenAI names)
 * ```
 *
 * The tokenizer is CLIP's BPE, bundled in `@ratlip/clip`, so no file carries it. `config` is the GAN's
 * resolved config (a run's `config.json`), from which the generator is rebuilt.
 */
import { checkRelativePath, describeJson, JsonFields, parseJsonText } from './json-fields';

/** Value of the manifest's `format` field. */
export const WEB_MODEL_FORMAT = 'ratlip-web-model';

/** The version of the format this code reads and writes. */
export const WEB_MODEL_FORMAT_VERSION = 1;

/** File name of the manifest inside a web-model folder. */
export const WEB_MODEL_MANIFEST_FILE = 'manifest.json';

/** Roles of the weight files a web model carries. */
export const WEB_MODEL_FILE_ROLES = ['generator', 'textEncoder'] as const;

/** One role of {@link WEB_MODEL_FILE_ROLES}. */
export type WebModelFileRole = (typeof WEB_MODEL_FILE_ROLES)[number];

/** File names `ratlip export --web` gives each role. */
export const WEB_MODEL_DEFAULT_FILE_NAMES: Readonly<Record<WebModelFileRole, string>> = {
  generator: 'generator.safetensors',
  textEncoder: 'clip-text.safetensors',
};

/** Largest number of sample captions a manifest may list. */
export const WEB_MODEL_MAX_SAMPLE_CAPTIONS = 64;

/** One weight file of a web model. */
export interface WebModelFile {
  /** Path relative to the manifest's folder: plain segments, no `..`, ending in `.safetensors`. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** SHA-256 of the file, 64 lowercase hex digits. */
  sha256: string;
}

/** How captions become token ids. */
export interface WebModelTokenizer {
  /** `'clip-bpe'`: OpenAI CLIP's BPE tokenizer, bundled in `@ratlip/clip`. */
  kind: 'clip-bpe';
  /** Token positions per caption, markers included (77 for CLIP); longer captions are truncated. */
  contextLength: number;
}

/** Where and how the model was made; informative only. */
export interface WebModelProvenance {
  /** The tool that wrote the folder, e.g. `'ratlip export --web'`. */
  tool?: string;
  /** The run or checkpoint folder exported. */
  run?: string;
  /** Training step of the exported weights. */
  step?: number;
  /** ISO 8601 time of the export. */
  createdAt?: string;
}

/** `manifest.json` of a web model. */
export interface WebModelManifest {
  /** Always {@link WEB_MODEL_FORMAT}. */
  format: typeof WEB_MODEL_FORMAT;
  /** Always {@link WEB_MODEL_FORMAT_VERSION} for this reader. */
  formatVersion: typeof WEB_MODEL_FORMAT_VERSION;
  /** Display name, e.g. `'Shapes 64 px'`. */
  name: string;
  /** One or two sentences for the model picker. */
  description?: string;
  /** Name of the GAN preset the model was built from, e.g. `'ratlip-shapes-64'`. */
  preset: string;
  /** The GAN's resolved config (as in a run's `config.json`), which rebuilds the generator. */
  config: Record<string, unknown>;
  /** The weight files, by role. */
  files: Record<WebModelFileRole, WebModelFile>;
  tokenizer: WebModelTokenizer;
  /** Captions the page offers as examples (1 to {@link WEB_MODEL_MAX_SAMPLE_CAPTIONS}, non-empty). */
  sampleCaptions: string[];
  provenance?: WebModelProvenance;
}

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

function parseFile(fields: JsonFields): WebModelFile {
  fields.onlyKeys(['path', 'bytes', 'sha256']);
  const path = checkRelativePath(fields, 'path', '.safetensors');
  const bytes = fields.integer('bytes', 9, Number.MAX_SAFE_INTEGER);
  const sha256 = fields.string('sha256');
  if (!SHA256_PATTERN.test(sha256)) {
    fields.fail('sha256', `must be 64 lowercase hex digits, got ${JSON.stringify(sha256)}`);
  }
  return { path, bytes, sha256 };
}

function parseProvenance(fields: JsonFields): WebModelProvenance {
  fields.onlyKeys(['tool', 'run', 'step', 'createdAt']);
  const provenance: WebModelProvenance = {};
  if (fields.has('tool')) provenance.tool = fields.string('tool', { maxLength: 200 });
  if (fields.has('run')) provenance.run = fields.string('run', { maxLength: 1000 });
  if (fields.has('step')) provenance.step = fields.integer('step', 0, Number.MAX_SAFE_INTEGER);
  if (fields.has('createdAt')) {
    const createdAt = fields.string('createdAt', { maxLength: 64 });
    if (Number.isNaN(Date.parse(createdAt))) {
      fields.fail('createdAt', `must be an ISO 8601 date and time, got ${JSON.stringify(createdAt)}`);
    }
    provenance.createdAt = createdAt;
  }
  return provenance;
}

function parseTokenizer(fields: JsonFields): WebModelTokenizer {
  fields.onlyKeys(['kind', 'contextLength']);
  const kind = fields.string('kind');
  if (kind !== 'clip-bpe')
    fields.fail('kind', `must be 'clip-bpe' (the only tokenizer so far), got ${JSON.stringify(kind)}`);
  return { kind, contextLength: fields.integer('contextLength', 2, 4096) };
}

function parseSampleCaptions(fields: JsonFields): string[] {
  const captions = fields.array('sampleCaptions');
  if (captions.length === 0 || captions.length > WEB_MODEL_MAX_SAMPLE_CAPTIONS) {
    fields.fail(
      'sampleCaptions',
      `must hold 1 to ${WEB_MODEL_MAX_SAMPLE_CAPTIONS} captions, got ${captions.length}`,
    );
  }
  return captions.map((caption, index) => {
    if (typeof caption !== 'string' || caption.trim() === '' || caption.length > 1000) {
      fields.fail(
        `sampleCaptions[${index}]`,
        `must be a non-empty string of at most 1000 characters, got ${describeJson(caption)}`,
      );
    }
    return caption;
  });
}

const MANIFEST_KEYS = [
  'format',
  'formatVersion',
  'name',
  'description',
  'preset',
  'config',
  'files',
  'tokenizer',
  'sampleCaptions',
  'provenance',
];

/**
 * Validates a parsed `manifest.json` and returns it typed. Strict: unknown fields, a format version
 * other than {@link WEB_MODEL_FORMAT_VERSION}, paths leaving the folder, malformed hashes and
 * duplicate file paths are errors.
 *
 * @param json the parsed JSON.
 * @param source names the file in errors; default `'manifest.json'`.
 * @throws WebModelFormatError naming the file and field.
 */
export function parseWebModelManifest(json: unknown, source = WEB_MODEL_MANIFEST_FILE): WebModelManifest {
  const fields = JsonFields.object(source, '', json);
  const format = fields.value['format'];
  if (format !== WEB_MODEL_FORMAT) {
    fields.fail(
      'format',
      `must be '${WEB_MODEL_FORMAT}' (is this a RATLIP web-model manifest?), got ${describeJson(format)}`,
    );
  }
  const version = fields.value['formatVersion'];
  if (version !== WEB_MODEL_FORMAT_VERSION) {
    fields.fail(
      'formatVersion',
      `must be ${WEB_MODEL_FORMAT_VERSION}, got ${describeJson(version)}` +
        (typeof version === 'number' && version > WEB_MODEL_FORMAT_VERSION
          ? ': the model was exported by a newer RATLIP.js; update the playground'
          : ''),
    );
  }
  fields.onlyKeys(MANIFEST_KEYS);
  const filesFields = fields.object('files');
  filesFields.onlyKeys(WEB_MODEL_FILE_ROLES);
  const files = {} as Record<WebModelFileRole, WebModelFile>;
  const seenPaths = new Map<string, WebModelFileRole>();
  for (const role of WEB_MODEL_FILE_ROLES) {
    const file = parseFile(filesFields.object(role));
    const previous = seenPaths.get(file.path);
    if (previous !== undefined) {
      filesFields.fail(
        `${role}.path`,
        `is '${file.path}', the same file as files.${previous}; each role needs its own file`,
      );
    }
    seenPaths.set(file.path, role);
    files[role] = file;
  }
  const manifest: WebModelManifest = {
    format: WEB_MODEL_FORMAT,
    formatVersion: WEB_MODEL_FORMAT_VERSION,
    name: fields.string('name', { maxLength: 200 }),
    preset: fields.string('preset', { maxLength: 200 }),
    config: fields.object('config').value,
    files,
    tokenizer: parseTokenizer(fields.object('tokenizer')),
    sampleCaptions: parseSampleCaptions(fields),
  };
  if (fields.has('description')) manifest.description = fields.string('description', { maxLength: 2000 });
  if (fields.has('provenance')) manifest.provenance = parseProvenance(fields.object('provenance'));
  return manifest;
}

/**
 * Parses the text of a `manifest.json` and validates it ({@link parseWebModelManifest}).
 * @throws WebModelFormatError also for text that is not JSON.
 */
export function parseWebModelManifestText(text: string, source = WEB_MODEL_MANIFEST_FILE): WebModelManifest {
  return parseWebModelManifest(parseJsonText(text, source), source);
}
