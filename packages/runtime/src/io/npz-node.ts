import { readFileSync } from 'node:fs';
import { type AtomicWriteOptions, writeFileAtomic } from './atomic-write';
import type { NpyArray } from './npy';
import { type NpzWriteOptions, readNpz, writeNpz } from './npz';

/** `.npz` files on disk (Node only). */

/** Reads every array of the `.npz` file at `path` (see `readNpz`); errors name the path. */
export function readNpzFile(path: string): Map<string, NpyArray> {
  return readNpz(readFileSync(path), { source: path });
}

/** Writes arrays as an `.npz` file atomically (see `writeNpz` and `writeFileAtomic`). */
export async function saveNpzFile(
  path: string,
  arrays: Record<string, NpyArray> | ReadonlyMap<string, NpyArray>,
  options: NpzWriteOptions & AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, writeNpz(arrays, options), options);
}
