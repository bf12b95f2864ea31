import { type NpyArray, NpyError, readNpy, writeNpy } from './npy';
import { readZip, writeZip } from './zip';

/**
 * numpy `.npz` archives (`np.savez` / `np.savez_compressed`): a zip of `.npy` arrays, one per name.
 * The FID statistics files of DF-GAN, GALIP and RATLIP (`mu`, `sigma` in float64) load as they are.
 */

/** Options of {@link readNpz}. */
export interface NpzReadOptions {
  /** Name of the archive, used in error messages. Default `'npz'`. */
  source?: string;
}

/** Options of {@link writeNpz}. */
export interface NpzWriteOptions {
  /** Deflate the arrays like `np.savez_compressed`; default false (stored, like `np.savez`). */
  compress?: boolean;
  /** Deflate level 1 (fast) to 9 (small) when compressing. Default 6. */
  level?: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

const SUFFIX = '.npy';

/**
 * Reads every array of an `.npz` archive, keyed by name without the `.npy` suffix (as
 * `np.load(path)[name]`). Float64 arrays stay Float64Array. Throws {@link NpyError} /
 * `ZipError` naming the archive and entry for anything malformed.
 */
export function readNpz(bytes: Uint8Array, options: NpzReadOptions = {}): Map<string, NpyArray> {
  const source = options.source ?? 'npz';
  const arrays = new Map<string, NpyArray>();
  for (const entry of readZip(bytes, { source })) {
    if (!entry.name.endsWith(SUFFIX)) {
      throw new NpyError(
        source,
        `entry '${entry.name}' is not a .npy array (an .npz holds only NAME.npy entries)`,
      );
    }
    const name = entry.name.slice(0, -SUFFIX.length);
    arrays.set(name, readNpy(entry.read(), { source: `${source} entry '${entry.name}'` }));
  }
  return arrays;
}

/**
 * Writes arrays as an `.npz` archive that `np.load` reads; entries follow the key order. Names
 * must be non-empty; each becomes `NAME.npy`.
 */
export function writeNpz(
  arrays: Record<string, NpyArray> | ReadonlyMap<string, NpyArray>,
  options: NpzWriteOptions = {},
): Uint8Array {
  const items = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  const entries = items.map(([name, array]) => {
    if (name.length === 0) throw new Error('writeNpz: array names must not be empty');
    return { name: `${name}${SUFFIX}`, data: writeNpy(array) };
  });
  return writeZip(entries, { compress: options.compress ?? false, level: options.level ?? 6 });
}

/** The array `name` of an archive read by {@link readNpz}; throws listing the names present when absent. */
export function npzArray(arrays: ReadonlyMap<string, NpyArray>, name: string, source = 'npz'): NpyArray {
  const array = arrays.get(name);
  if (!array) {
    throw new NpyError(
      source,
      `no array named '${name}' (the archive holds: ${[...arrays.keys()].join(', ') || 'nothing'})`,
    );
  }
  return array;
}
