import { isPickleTuple, PickleError, unpickle } from '@ratlip/runtime';
import { DatasetError } from '../errors';

const utf8 = new TextDecoder('utf-8');

/**
 * Reads a pickle holding a Python list of strings (such as DF-GAN's `train/filenames.pickle`)
 * without Python, through the runtime's restricted unpickler: no global is allowed, so nothing in
 * the file can run. Python 2 `str` items are decoded as UTF-8, or Latin-1 when not valid UTF-8;
 * `bytes` items as UTF-8; integer items become their decimal text (some releases key images by number).
 *
 * @param bytes the file's contents.
 * @param source the file's path, named in every error.
 * @returns the list's items in order.
 * @throws DatasetError `bad-pickle` naming `source` and what was wrong (opcode and byte offset for malformed files).
 */
export function readStringListPickle(bytes: Uint8Array, source = 'pickle'): string[] {
  let value: unknown;
  try {
    value = unpickle(bytes, { source });
  } catch (error) {
    if (error instanceof PickleError)
      throw new DatasetError('bad-pickle', source, error.message, { cause: error });
    throw error;
  }
  if (!Array.isArray(value) || isPickleTuple(value)) {
    throw new DatasetError(
      'bad-pickle',
      source,
      `${source}: does not hold a single list of strings (found ${describe(value)})`,
    );
  }
  return value.map((item: unknown, index) => {
    if (typeof item === 'string') return item;
    if (item instanceof Uint8Array) return utf8.decode(item);
    if (typeof item === 'number' && Number.isInteger(item)) return String(item);
    if (typeof item === 'bigint') return String(item);
    throw new DatasetError(
      'bad-pickle',
      source,
      `${source}: list items must be strings, but item ${index} is ${describe(item)}`,
    );
  });
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (isPickleTuple(value)) return 'a tuple';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  return `a ${typeof value}`;
}
