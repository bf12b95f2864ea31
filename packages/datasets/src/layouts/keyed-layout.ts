import { extensionOf, IMAGE_EXTENSIONS, joinPath, stripExtension } from '../io/paths';
import type { DatasetIO } from '../types';
import { FileDataset, type FileSample } from './file-dataset';
import { checkOfficialSplit, readSplitKeys } from './split-keys';

/** Options of the `images/` + `text/` + `filenames.pickle` layouts (flowers, faces). */
export interface KeyedLayoutOptions {
  /** `train`, `test` or `all` (train then test). Default `train`. */
  split?: string;
}

/**
 * Opens the layout shared by DF-GAN's flowers and faces data: `images/<key>` (the key may carry its
 * extension, as the flowers keys do; otherwise `.jpg` is added), `text/<key without extension>.txt`
 * and `{train,test}/filenames.pickle`.
 */
export async function openKeyedLayout(
  kind: string,
  root: string,
  io: DatasetIO,
  options: KeyedLayoutOptions = {},
): Promise<FileDataset> {
  const split = checkOfficialSplit(kind, options.split ?? 'train');
  const keys = await readSplitKeys(io.files, root, split);
  const samples = keys.map((key): FileSample => {
    const hasExtension = IMAGE_EXTENSIONS.includes(extensionOf(key));
    return {
      id: key,
      imagePath: joinPath(root, 'images', hasExtension ? key : `${key}.jpg`),
      captionPath: joinPath(root, 'text', `${hasExtension ? stripExtension(key) : key}.txt`),
    };
  });
  return new FileDataset(kind, split, samples, io);
}

/**
 * Oxford-102 flowers as in DF-GAN/RATLIP's `data/flower`: `images/<key>` where the key includes `.jpg`,
 * `text/<key without .jpg>.txt` (10 Reed captions), `{train,test}/filenames.pickle`. The official split
 * is unstated; the conventional one is 7,034 train / 1,155 test (82/20 classes); RAT-GAN trains on `all`.
 */
export function openFlowers(
  root: string,
  io: DatasetIO,
  options: KeyedLayoutOptions = {},
): Promise<FileDataset> {
  return openKeyedLayout('flowers', root, io, options);
}

/**
 * Multi-Modal CelebA-HQ ("CelebA-tiny") as in RATLIP's `data/faces`: `images/<key>.jpg`,
 * `text/<key>.txt` (10 captions), `{train,test}/filenames.pickle`. MM-CelebA-HQ has 30,000 images,
 * commonly split 24,000 / 6,000; which subset RATLIP used is not stated.
 */
export function openFaces(
  root: string,
  io: DatasetIO,
  options: KeyedLayoutOptions = {},
): Promise<FileDataset> {
  return openKeyedLayout('faces', root, io, options);
}
