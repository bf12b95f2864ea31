import { checkRelativePath, describeJson, JsonFields } from './json-fields';
import { WEB_MODEL_MANIFEST_FILE } from './web-model-manifest';

/** Version of `models/index.json` this code reads. */
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
