import { DatasetError } from '../errors';
import { joinPath } from '../io/paths';
import { readRequiredText } from '../io/read-text';
import type { DatasetIO } from '../types';
import { type BoundingBox, cubCropBox } from './cub-crop';
import { FileDataset, type FileSample } from './file-dataset';
import { checkOfficialSplit, readSplitKeys } from './split-keys';

/** Options of {@link openBirds}. */
export interface BirdsOptions {
  /** `train` (8,855 images, 150 classes), `test` (2,933 images, 50 classes) or `all`. Default `train`. */
  split?: string;
  /** Apply the official bounding-box crop. Default true (what the official code does). */
  boundingBoxCrop?: boolean;
}

/**
 * Opens CUB-200-2011 in the layout of DF-GAN/GALIP/RATLIP's `data/birds`:
 * `CUB_200_2011/{images.txt, bounding_boxes.txt, images/<key>.jpg}`, `text/<key>.txt` (10 captions)
 * and `{train,test}/filenames.pickle` listing the keys (`<class>/<image>` without `.jpg`).
 * Images are cropped to 1.5x their bounding box ({@link cubCropBox}).
 */
export async function openBirds(
  root: string,
  io: DatasetIO,
  options: BirdsOptions = {},
): Promise<FileDataset> {
  const split = checkOfficialSplit('birds', options.split ?? 'train');
  const keys = await readSplitKeys(io.files, root, split);
  const boxes = options.boundingBoxCrop === false ? undefined : await readBoundingBoxes(io, root);
  const samples = keys.map((key): FileSample => {
    const sample: FileSample = {
      id: key,
      imagePath: joinPath(root, 'CUB_200_2011', 'images', `${key}.jpg`),
      captionPath: joinPath(root, 'text', `${key}.txt`),
    };
    if (boxes) {
      const box = boxes.get(key);
      if (!box) {
        throw new DatasetError(
          'bad-layout',
          joinPath(root, 'CUB_200_2011', 'images.txt'),
          `${joinPath(root, 'CUB_200_2011', 'images.txt')}: no entry for "${key}" listed in the ${split} ` +
            'filenames.pickle, so its bounding box is unknown',
        );
      }
      sample.crop = (width, height) => cubCropBox(box, width, height);
    }
    return sample;
  });
  return new FileDataset('birds', split, samples, io);
}

/** `images.txt` (`<id> <path>`) joined with `bounding_boxes.txt` (`<id> <x> <y> <w> <h>`), keyed by path minus `.jpg`. */
async function readBoundingBoxes(io: DatasetIO, root: string): Promise<Map<string, BoundingBox>> {
  const imagesPath = joinPath(root, 'CUB_200_2011', 'images.txt');
  const boxesPath = joinPath(root, 'CUB_200_2011', 'bounding_boxes.txt');
  const pathsById = new Map<string, string>();
  for (const [lineNumber, fields] of numberedLines(
    await readRequiredText(io.files, imagesPath, 'CUB image list'),
  )) {
    if (fields.length !== 2) {
      throw new DatasetError('bad-layout', imagesPath, `${imagesPath}:${lineNumber}: expected "<id> <path>"`);
    }
    pathsById.set(fields[0]!, fields[1]!);
  }
  const boxes = new Map<string, BoundingBox>();
  for (const [lineNumber, fields] of numberedLines(
    await readRequiredText(io.files, boxesPath, 'CUB bounding boxes'),
  )) {
    const numbers = fields.slice(1).map(Number);
    if (fields.length !== 5 || numbers.some((value) => !Number.isFinite(value))) {
      throw new DatasetError(
        'bad-layout',
        boxesPath,
        `${boxesPath}:${lineNumber}: expected "<id> <x> <y> <w> <h>"`,
      );
    }
    const path = pathsById.get(fields[0]!);
    if (path === undefined) {
      throw new DatasetError(
        'bad-layout',
        boxesPath,
        `${boxesPath}:${lineNumber}: id ${fields[0]} is not in ${imagesPath}`,
      );
    }
    // The official code drops the last four characters (".jpg") to make the key.
    boxes.set(path.slice(0, -4), numbers as unknown as BoundingBox);
  }
  return boxes;
}

function* numberedLines(text: string): Generator<[number, string[]]> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length > 0) yield [i + 1, line.split(/\s+/)];
  }
}
