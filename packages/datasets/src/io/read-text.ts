import { DatasetError, type DatasetProblem } from '../errors';
import type { FileSource } from '../types';

const utf8 = new TextDecoder('utf-8');

/** Reads a required UTF-8 file; a missing file throws `problem` naming `path` and `what` it is. */
export async function readRequiredText(
  files: FileSource,
  path: string,
  what: string,
  problem: DatasetProblem = 'bad-layout',
): Promise<string> {
  const bytes = await readRequired(files, path, what, problem);
  return utf8.decode(bytes);
}

/** Reads a required file's bytes; a missing file throws `problem` naming `path` and `what` it is. */
export async function readRequired(
  files: FileSource,
  path: string,
  what: string,
  problem: DatasetProblem = 'bad-layout',
): Promise<Uint8Array> {
  const bytes = await files.read(path);
  if (bytes === undefined) {
    throw new DatasetError(problem, path, `${path}: ${what} not found (reading from ${files.description})`);
  }
  return bytes;
}
