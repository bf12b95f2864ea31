import { DatasetError } from '../errors';
import { joinPath } from '../io/paths';
import { readRequired } from '../io/read-text';
import { readStringListPickle } from '../pickle/read-string-list-pickle';
import type { FileSource } from '../types';

/** Splits of the official layouts: `all` is `train` followed by `test` (duplicates dropped). */
export type OfficialSplit = 'train' | 'test' | 'all';

export const OFFICIAL_SPLITS: readonly OfficialSplit[] = ['train', 'test', 'all'];

/** Checks a split name, naming the dataset kind and the accepted values when it is wrong. */
export function checkOfficialSplit(kind: string, split: string): OfficialSplit {
  if (!(OFFICIAL_SPLITS as readonly string[]).includes(split)) {
    throw new DatasetError(
      'bad-option',
      'split',
      `${kind} dataset: split must be one of ${OFFICIAL_SPLITS.join(', ')}, got "${split}"`,
    );
  }
  return split as OfficialSplit;
}

/**
 * The filename keys of a split, from `<root>/<split>/filenames.pickle` (DF-GAN's layout).
 * @throws DatasetError `bad-layout` when the pickle is missing, `bad-pickle` when it is not a list of strings.
 */
export async function readSplitKeys(
  files: FileSource,
  root: string,
  split: OfficialSplit,
): Promise<string[]> {
  if (split === 'all') {
    const keys = [
      ...(await readSplitKeys(files, root, 'train')),
      ...(await readSplitKeys(files, root, 'test')),
    ];
    return [...new Set(keys)];
  }
  const path = joinPath(root, split, 'filenames.pickle');
  const bytes = await readRequired(files, path, `the ${split} split's filename list`);
  return readStringListPickle(bytes, path);
}
