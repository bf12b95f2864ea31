import { DatasetError } from '../errors';
import { dirname, extensionOf, isAbsolutePath, joinPath } from '../io/paths';
import { readRequiredText } from '../io/read-text';
import { FileDataset, type FileSample } from '../layouts/file-dataset';
import type { DatasetIO } from '../types';
import { parseCsv } from './csv';
import { checkHoldOut, type HoldOutOptions, isHeldOut } from './hold-out';

/** Options of {@link openManifest}. */
export type ManifestOptions = HoldOutOptions;

/** One manifest row before grouping by image. */
interface ManifestRow {
  line: number;
  image: string;
  captions: string[];
  split?: string;
}

/**
 * Opens a manifest listing images and their captions. Formats, chosen by extension:
 * - `.jsonl` / `.ndjson`: one object per line, `{"image": "a.jpg", "captions": ["...", "..."]}`
 *   (or `"caption": "..."`), optionally `"split": "train" | "test"`;
 * - `.json`: an array of such objects;
 * - `.csv`: a header with `image` and `caption` (one caption per row) and/or `captions` (several,
 *   separated by `|`) columns, optionally `split`.
 *
 * Image paths are relative to the manifest's folder (absolute paths and URLs are kept). Rows naming the
 * same image merge their captions. When rows carry `split`, `options.split` selects by it; otherwise
 * `train`/`test` come from the hashed hold-out of {@link HoldOutOptions.testFraction}.
 *
 * @throws DatasetError `bad-manifest` naming the file and line for malformed rows.
 */
export async function openManifest(
  path: string,
  io: DatasetIO,
  options: ManifestOptions = {},
): Promise<FileDataset> {
  const { split, testFraction } = checkHoldOut('manifest', options);
  const text = await readRequiredText(io.files, path, 'manifest', 'bad-manifest');
  const rows = parseManifestRows(path, text);
  if (rows.length === 0)
    throw new DatasetError('bad-manifest', path, `${path}: the manifest lists no images`);

  const labelled = rows.filter((row) => row.split !== undefined).length;
  if (labelled > 0 && labelled < rows.length) {
    const row = rows.find((candidate) => candidate.split === undefined)!;
    throw new DatasetError(
      'bad-manifest',
      path,
      `${path}:${row.line}: some rows give a split and this one does not; give every row a split or none`,
    );
  }

  const base = dirname(path);
  const byImage = new Map<string, ManifestRow>();
  for (const row of rows) {
    const existing = byImage.get(row.image);
    if (!existing) {
      byImage.set(row.image, { ...row, captions: [...row.captions] });
      continue;
    }
    if (existing.split !== row.split) {
      throw new DatasetError(
        'bad-manifest',
        path,
        `${path}:${row.line}: "${row.image}" is in split "${row.split}" here but "${existing.split}" on line ${existing.line}`,
      );
    }
    existing.captions.push(...row.captions);
  }

  const samples: FileSample[] = [];
  for (const row of byImage.values()) {
    const inSplit =
      split === 'all' ||
      (labelled > 0 ? row.split === split : isHeldOut(row.image, testFraction) === (split === 'test'));
    if (!inSplit) continue;
    samples.push({
      id: row.image,
      imagePath: isAbsolutePath(row.image) ? row.image : joinPath(base, row.image),
      captions: row.captions,
    });
  }
  return new FileDataset('manifest', split, samples, io);
}

function parseManifestRows(path: string, text: string): ManifestRow[] {
  const extension = extensionOf(path);
  if (extension === '.jsonl' || extension === '.ndjson') {
    const rows: ManifestRow[] = [];
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim().length === 0) return;
      rows.push(rowFromObject(path, index + 1, parseJson(path, index + 1, line)));
    });
    return rows;
  }
  if (extension === '.json') {
    const parsed = parseJson(path, 1, text);
    if (!Array.isArray(parsed))
      throw new DatasetError('bad-manifest', path, `${path}: expected a JSON array of rows`);
    return parsed.map((item, index) => rowFromObject(path, index + 1, item));
  }
  if (extension === '.csv') return rowsFromCsv(path, text);
  throw new DatasetError(
    'bad-manifest',
    path,
    `${path}: unknown manifest format "${extension}"; use .jsonl, .ndjson, .json or .csv`,
  );
}

function parseJson(path: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetError(
      'bad-manifest',
      path,
      `${path}:${line}: invalid JSON (${(error as Error).message})`,
    );
  }
}

function rowFromObject(path: string, line: number, value: unknown): ManifestRow {
  const fail = (message: string): never => {
    throw new DatasetError('bad-manifest', path, `${path}:${line}: ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected an object');
  const record = value as Record<string, unknown>;
  const image = record['image'];
  if (typeof image !== 'string' || image.length === 0) fail('"image" must be a non-empty string');
  const captions: string[] = [];
  if (record['captions'] !== undefined) {
    const list = record['captions'];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      fail('"captions" must be an array of strings');
    }
    captions.push(...(list as string[]));
  }
  if (record['caption'] !== undefined) {
    if (typeof record['caption'] !== 'string') fail('"caption" must be a string');
    captions.push(record['caption'] as string);
  }
  if (record['captions'] === undefined && record['caption'] === undefined)
    fail('needs "captions" (or "caption")');
  const split = record['split'];
  if (split !== undefined && split !== 'train' && split !== 'test') fail('"split" must be "train" or "test"');
  return split === undefined
    ? { line, image: image as string, captions }
    : { line, image: image as string, captions, split: split as string };
}

function rowsFromCsv(path: string, text: string): ManifestRow[] {
  const fail = (line: number, message: string): never => {
    throw new DatasetError('bad-manifest', path, `${path}:${line}: ${message}`);
  };
  const [header, ...records] = parseCsv(text, fail);
  if (!header) fail(1, 'empty CSV; expected a header with "image" and "caption" or "captions" columns');
  const columns = header!.fields.map((name) => name.trim().toLowerCase());
  const imageColumn = columns.indexOf('image');
  const captionColumn = columns.indexOf('caption');
  const captionsColumn = columns.indexOf('captions');
  const splitColumn = columns.indexOf('split');
  if (imageColumn < 0 || (captionColumn < 0 && captionsColumn < 0)) {
    fail(
      header!.line,
      `header must name an "image" column and a "caption" or "captions" column, got ${columns.join(',')}`,
    );
  }
  return records.map(({ line, fields }) => {
    if (fields.length !== columns.length)
      fail(line, `expected ${columns.length} fields, found ${fields.length}`);
    const object: Record<string, unknown> = { image: fields[imageColumn]!.trim() };
    const captions: string[] = [];
    if (captionColumn >= 0) captions.push(fields[captionColumn]!);
    if (captionsColumn >= 0) captions.push(...fields[captionsColumn]!.split('|'));
    object['captions'] = captions;
    if (splitColumn >= 0 && fields[splitColumn]!.trim() !== '') object['split'] = fields[splitColumn]!.trim();
    return rowFromObject(path, line, object);
  });
}
