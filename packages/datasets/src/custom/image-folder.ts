import { DatasetError } from '../errors';
import { extensionOf, IMAGE_EXTENSIONS, joinPath, stripExtension } from '../io/paths';
import { FileDataset, type FileSample } from '../layouts/file-dataset';
import type { DatasetIO, FileSource } from '../types';
import { checkHoldOut, type HoldOutOptions, isHeldOut } from './hold-out';

/** Options of {@link openImageFolder}. */
export type ImageFolderOptions = HoldOutOptions;

/**
 * Opens a folder of images with one caption file per image: `photo.jpg` beside `photo.txt` (one
 * caption per line), in any sub-folder depth. Recognised images: {@link IMAGE_EXTENSIONS}. Samples are
 * ordered by relative path; names starting with `.` are ignored. A missing or empty caption file is a
 * bad sample, reported when the sample is first loaded.
 */
export async function openImageFolder(
  root: string,
  io: DatasetIO,
  options: ImageFolderOptions = {},
): Promise<FileDataset> {
  const { split, testFraction } = checkHoldOut('folder', options);
  const relativePaths = await listImages(io.files, root);
  if (relativePaths.length === 0) {
    throw new DatasetError(
      'bad-layout',
      root,
      `${root}: no images found (looked for ${IMAGE_EXTENSIONS.join(' ')} files, each with a .txt caption file beside it)`,
    );
  }
  const samples: FileSample[] = [];
  for (const relative of relativePaths) {
    if (split !== 'all' && isHeldOut(relative, testFraction) !== (split === 'test')) continue;
    samples.push({
      id: relative,
      imagePath: joinPath(root, relative),
      captionPath: joinPath(root, `${stripExtension(relative)}.txt`),
    });
  }
  return new FileDataset('folder', split, samples, io);
}

async function listImages(files: FileSource, root: string): Promise<string[]> {
  if (!files.list) {
    throw new DatasetError(
      'bad-option',
      root,
      `${root}: ${files.description} cannot list folders; use a manifest (JSONL/CSV) instead of a folder dataset`,
    );
  }
  const found: string[] = [];
  const walk = async (relative: string): Promise<boolean> => {
    const entries = await files.list!(joinPath(root, relative));
    if (entries === undefined) return false;
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(child);
      else if (IMAGE_EXTENSIONS.includes(extensionOf(entry.name))) found.push(child);
    }
    return true;
  };
  if (!(await walk(''))) {
    throw new DatasetError(
      'bad-layout',
      root,
      `${root}: folder not found (reading from ${files.description})`,
    );
  }
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
