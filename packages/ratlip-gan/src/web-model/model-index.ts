import { checkRelativePath, describeJson, JsonFields, parseJsonText } from './json-fields';
import { WEB_MODEL_MANIFEST_FILE } from './web-model-manifest';

/**
 * The list of web models an app serves (the playground's `models/index.json`): each entry points at a
 * web-model folder's `manifest.json`, relative to the index, and the first entry is the default.
 */

/** Version of `models/index.json` this code reads and writes. */
export const MODEL_INDEX_FORMAT_VERSION = 1;

/** One model served with the app. */
export interface ModelIndexEntry {
  /** Stable id (letters, digits, `-`, `_`), used in the page's URL and the model picker. */
  id: string;
  /** Display name in the picker. */
  name: string;
  /** The model's `manifest.json`, relative to `index.json`, e.g. `'shapes-64/manifest.json'`. */
  manifest: string;
  /** Shown under the picker. */
  description?: string;
}

/** `models/index.json`: the models the app serves, the first being the default. */
export interface ModelIndex {
  formatVersion: typeof MODEL_INDEX_FORMAT_VERSION;
  models: ModelIndexEntry[];
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` can be a {@link ModelIndexEntry.id}: 1 to 64 letters, digits, `-` or `_`. */
export function isModelIndexId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function parseEntry(fields: JsonFields): ModelIndexEntry {
  fields.onlyKeys(['id', 'name', 'manifest', 'description']);
  const id = fields.string('id');
  if (!ID_PATTERN.test(id))
    fields.fail('id', `must be 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(id)}`);
  const entry: ModelIndexEntry = {
    id,
    name: fields.string('name', { maxLength: 200 }),
    manifest: checkRelativePath(fields, 'manifest', `/${WEB_MODEL_MANIFEST_FILE}`),
  };
  if (fields.has('description')) entry.description = fields.string('description', { maxLength: 2000 });
  return entry;
}

/**
 * Validates a parsed `models/index.json`: `{ formatVersion: 1, models: [{ id, name, manifest, description? }] }`
 * with unique ids; unknown fields are errors.
 *
 * @param source names the file in errors; default `'models/index.json'`.
 * @throws WebModelFormatError naming the file and field.
 */
export function parseModelIndex(json: unknown, source = 'models/index.json'): ModelIndex {
  const fields = JsonFields.object(source, '', json);
  fields.onlyKeys(['formatVersion', 'models']);
  if (fields.value['formatVersion'] !== MODEL_INDEX_FORMAT_VERSION) {
    fields.fail(
      'formatVersion',
      `must be ${MODEL_INDEX_FORMAT_VERSION}, got ${describeJson(fields.value['formatVersion'])}`,
    );
  }
  const ids = new Set<string>();
  const models = fields.array('models').map((value, index) => {
    const entry = parseEntry(JsonFields.object(source, `models[${index}]`, value));
    if (ids.has(entry.id))
      fields.fail(`models[${index}].id`, `'${entry.id}' is used by an earlier model; ids must be unique`);
    ids.add(entry.id);
    return entry;
  });
  return { formatVersion: MODEL_INDEX_FORMAT_VERSION, models };
}

/**
 * Parses the text of a `models/index.json` and validates it ({@link parseModelIndex}).
 * @throws WebModelFormatError also for text that is not JSON.
 */
export function parseModelIndexText(text: string, source = 'models/index.json'): ModelIndex {
  return parseModelIndex(parseJsonText(text, source), source);
}

/** Options of {@link upsertModelIndexEntry}. */
export interface UpsertModelIndexEntryOptions {
  /** Move the entry to the front, making it the app's default model. Default false. */
  makeDefault?: boolean;
  /** Names the index in errors; default `'models/index.json'`. */
  source?: string;
}

/**
 * The index with `entry` added or replaced. An existing entry with the same `id` or the same
 * `manifest` is the same model and is replaced where it stands (both, if they are two entries); a new
 * model goes last, so the default stays the default, unless `makeDefault`. The input is not modified.
 *
 * @throws WebModelFormatError when the entry breaks the format (bad id, manifest path leaving the folder...).
 */
export function upsertModelIndexEntry(
  index: ModelIndex,
  entry: ModelIndexEntry,
  options: UpsertModelIndexEntryOptions = {},
): ModelIndex {
  const source = options.source ?? 'models/index.json';
  const sameModel = (existing: ModelIndexEntry) =>
    existing.id === entry.id || existing.manifest === entry.manifest;
  const firstMatch = index.models.findIndex(sameModel);
  const others = index.models.filter((existing) => !sameModel(existing));
  const position = options.makeDefault
    ? 0
    : firstMatch === -1
      ? others.length
      : index.models.slice(0, firstMatch).filter((existing) => !sameModel(existing)).length;
  const models = [...others.slice(0, position), { ...entry }, ...others.slice(position)];
  return parseModelIndex({ formatVersion: MODEL_INDEX_FORMAT_VERSION, models }, `${source} being written`);
}

/** The text of a `models/index.json`: pretty-printed JSON ending in a newline. */
export function formatModelIndex(index: ModelIndex): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}
