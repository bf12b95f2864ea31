import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { RgbImage } from '@ratlip/datasets';
import { CliFailure } from '../cli-errors';
import { checkDatasetOption } from '../options/dataset-option';
import { readFileBytes } from '../options/input-files';

/** Images to compute statistics of, loaded one at a time. */
export interface ImageSource {
  /** What the images are, for messages. */
  description: string;
  /** Number of images. */
  count: number;
  /** Image `index` as 8-bit RGB at its own size. */
  load(index: number): Promise<RgbImage>;
}

/** Files under `root` (recursively, names starting with `.` skipped) whose extension is in `extensions`, sorted. */
function listImageFiles(root: string, extensions: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (extensions.includes(extname(entry.name).toLowerCase())) found.push(path);
    }
  };
  walk(root);
  return found.sort((a, b) => (relative(root, a) < relative(root, b) ? -1 : 1));
}

/** Every image under a folder (any depth; no caption files needed), decoded with sharp. */
export async function folderImageSource(root: string): Promise<ImageSource> {
  const { IMAGE_EXTENSIONS } = await import('@ratlip/datasets');
  const { sharpImageDecoder } = await import('@ratlip/datasets/node');
  const files = listImageFiles(root, IMAGE_EXTENSIONS);
  if (files.length === 0) {
    throw new CliFailure(`${root}: no images found (looked for ${IMAGE_EXTENSIONS.join(' ')} files)`);
  }
  const decoder = sharpImageDecoder();
  return {
    description: `${files.length} images in ${root}`,
    count: files.length,
    load: (index) => decoder.decode(readFileBytes(files[index]!), {}, files[index]!),
  };
}

/** The images of a registered dataset (`kind:path`), split `split`. */
export async function datasetImageSource(spec: string, split: string): Promise<ImageSource> {
  const { openDataset } = await import('@ratlip/datasets');
  const { nodeDatasetIO } = await import('@ratlip/datasets/node');
  const dataset = await openDataset(spec, { io: nodeDatasetIO(), split });
  return {
    description: `${dataset.size} images of ${spec} (${dataset.split} split)`,
    count: dataset.size,
    load: (index) => dataset.loadImage(index),
  };
}

/**
 * The images `spec` names: an existing folder (which wins over a dataset kind of the same name; write
 * `shapes:` to mean the dataset), else a dataset `kind:path` of the registry.
 *
 * @throws CliFailure when `spec` is neither.
 */
export async function openImageSource(spec: string, split: string): Promise<ImageSource> {
  if (statSync(spec, { throwIfNoEntry: false })?.isDirectory()) return folderImageSource(spec);
  const { datasetKinds, parseDatasetSpec } = await import('@ratlip/datasets');
  const { kind } = parseDatasetSpec(spec);
  if (!datasetKinds().has(kind)) {
    throw new CliFailure(
      `${spec}: no such folder, and not a dataset kind:path (kinds: ${[...datasetKinds().keys()].join(', ')})`,
    );
  }
  await checkDatasetOption(spec, 'dataset');
  return datasetImageSource(spec, split);
}
