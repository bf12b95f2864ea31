import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  exportWebModel,
  formatModelIndex,
  isModelIndexId,
  MODEL_INDEX_FORMAT_VERSION,
  type ModelIndex,
  type ModelIndexEntry,
  parseModelIndexText,
  upsertModelIndexEntry,
  WEB_MODEL_MANIFEST_FILE,
  WebModelFormatError,
} from '@ratlip/ratlip-gan';
import { writeFileAtomic } from '@ratlip/runtime/node';
import { CliFailure } from '../cli-errors';
import { loadRunModel } from './load-run-model';

/** Captions shown by the playground when the run did not record its own. */
const DEFAULT_SAMPLE_CAPTIONS = [
  'a red circle on the left',
  'a small blue square at the top',
  'a green triangle',
];

/** Where {@link exportRunForWeb} lists the exported model, for an app that serves several. */
export interface WebExportIndexOptions {
  /** The `index.json` to create or update (e.g. `apps/playground/public/models/index.json`). */
  path: string;
  /** The entry's id. Default: the name of the output folder (which must then be a valid id). */
  id?: string;
  /** Put the entry first, making it the app's default model. Default false (new models go last). */
  makeDefault?: boolean;
}

/** Options of {@link exportRunForWeb}. */
export interface WebExportOptions {
  /** Example captions for the page (1 to 64). Default: a few Shapes captions. */
  sampleCaptions?: string[];
  /** Display name in the manifest and the index. Default: `'<preset> (step <N>)'`. */
  name?: string;
  /** One or two sentences for the model picker, in the manifest and the index. Default: none. */
  description?: string;
  /** Also add or update the model's entry in a model index. Default: no index. */
  index?: WebExportIndexOptions;
}

/** What {@link exportRunForWeb} wrote. */
export interface WebExportResult {
  out: string;
  /** The files of the model folder, relative to `out`; `manifest.json` last. */
  files: string[];
  step: number;
  /** The index written and the entry it now holds, when an index was given. */
  index?: { path: string; entry: ModelIndexEntry };
}

/** The index entry's id and manifest path for a model folder, checked before anything is written. */
interface IndexPlacement {
  id: string;
  /** `manifest.json` of the model folder relative to the index's folder, `/`-separated. */
  manifest: string;
}

function rethrowFormatError(error: unknown): never {
  if (error instanceof WebModelFormatError) throw new CliFailure(error.message, { cause: error });
  throw error;
}

function readIndex(path: string): ModelIndex {
  if (!existsSync(path)) return { formatVersion: MODEL_INDEX_FORMAT_VERSION, models: [] };
  try {
    return parseModelIndexText(readFileSync(path, 'utf8'), path);
  } catch (error) {
    return rethrowFormatError(error);
  }
}

/**
 * Where the model folder `out` goes in the index: its manifest relative to the index's folder (the
 * folder must be a subfolder of it, since an app serves only what is beside its index) and its id.
 * Also checks the existing index and the entry, so they fail before the export's work.
 */
function placeInIndex(options: WebExportIndexOptions, out: string): IndexPlacement {
  const indexFolder = dirname(resolve(options.path));
  const fromIndex = relative(indexFolder, resolve(out));
  if (fromIndex === '' || fromIndex.startsWith('..') || isAbsolute(fromIndex)) {
    throw new CliFailure(
      `--index ${options.path}: the model folder ${out} must be a subfolder of the index's folder ${dirname(options.path)}, as the app serves what is beside its index (for example --out ${join(dirname(options.path), '<name>')})`,
    );
  }
  const segments = fromIndex.split(sep);
  const id = options.id ?? segments.at(-1)!;
  if (!isModelIndexId(id)) {
    throw new CliFailure(
      `--index ${options.path}: the model id ${JSON.stringify(id)} must be 1 to 64 letters, digits, '-' or '_'; ${options.id === undefined ? 'rename the output folder or ' : ''}pass --id <id>`,
    );
  }
  const manifest = [...segments, WEB_MODEL_MANIFEST_FILE].join('/');
  try {
    // A dry run: the format's own checks of the existing index and of the entry (plain path segments...).
    upsertModelIndexEntry(readIndex(options.path), { id, name: id, manifest }, { source: options.path });
  } catch (error) {
    return rethrowFormatError(error);
  }
  return { id, manifest };
}

/**
 * Adds the model whose `manifest.json` is in `out` to the model index at `options.path`, or updates
 * its entry (same id or same folder), creating the index when it does not exist. The index is
 * replaced atomically, so an app reading it never sees half a file.
 *
 * @returns the entry as written.
 * @throws CliFailure when `out` is not a subfolder of the index's folder, the id is not valid, or the
 *   existing index is not a valid model index (naming the file and field).
 */
export async function addToModelIndex(
  options: WebExportIndexOptions,
  out: string,
  details: { name: string; description?: string },
): Promise<ModelIndexEntry> {
  const { id, manifest } = placeInIndex(options, out);
  const entry: ModelIndexEntry = {
    id,
    name: details.name,
    manifest,
    ...(details.description === undefined ? {} : { description: details.description }),
  };
  let index: ModelIndex;
  try {
    index = upsertModelIndexEntry(readIndex(options.path), entry, {
      makeDefault: options.makeDefault ?? false,
      source: options.path,
    });
  } catch (error) {
    return rethrowFormatError(error);
  }
  await writeFileAtomic(options.path, formatModelIndex(index));
  return entry;
}

/**
 * Writes a run's newest checkpoint (or a checkpoint folder) as a web model for the playground:
 * `manifest.json`, the generator with its CLIP image tower, and the CLIP text tower. Every file is
 * written atomically and the manifest last, so a folder being re-exported while served never lists
 * files it does not hold yet. With `options.index`, the model is then listed in a model index.
 */
export async function exportRunForWeb(
  runOrCheckpoint: string,
  out: string,
  options: WebExportOptions = {},
): Promise<WebExportResult> {
  if (options.index !== undefined) placeInIndex(options.index, out);
  const loaded = await loadRunModel(runOrCheckpoint);
  let result: WebExportResult;
  let name: string;
  try {
    name = options.name ?? `${loaded.config.name} (step ${loaded.state.step})`;
    const folder = await exportWebModel({
      model: loaded.model,
      textTower: loaded.runClip.clip.text,
      ...(loaded.runClip.tokenIds === undefined ? {} : { textTokenIds: loaded.runClip.tokenIds }),
      name,
      ...(options.description === undefined ? {} : { description: options.description }),
      sampleCaptions: options.sampleCaptions ?? DEFAULT_SAMPLE_CAPTIONS,
      provenance: {
        tool: 'ratlip export --web',
        run: runOrCheckpoint,
        step: loaded.state.step,
        createdAt: new Date().toISOString(),
      },
    });
    const relativePaths = [...folder.files.keys()].filter((path) => path !== WEB_MODEL_MANIFEST_FILE);
    relativePaths.push(WEB_MODEL_MANIFEST_FILE);
    for (const path of relativePaths) await writeFileAtomic(join(out, path), folder.files.get(path)!);
    result = { out, files: relativePaths, step: loaded.state.step };
  } catch (error) {
    return rethrowFormatError(error);
  } finally {
    loaded.dispose();
  }
  if (options.index !== undefined) {
    const entry = await addToModelIndex(options.index, out, {
      name,
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    result.index = { path: options.index.path, entry };
  }
  return result;
}
