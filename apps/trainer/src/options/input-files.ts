import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { CliFailure } from '../cli-errors';

/**
 * Checks that `path` is an existing file; throws a {@link CliFailure} naming it otherwise.
 *
 * @param what what the file is for the message, e.g. `'weights file'`.
 * @returns the file size in bytes.
 */
export function requireFile(path: string, what = 'file'): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new CliFailure(`${what} not found: ${path}`);
  if (!stats.isFile())
    throw new CliFailure(
      `${what} ${path} is a ${stats.isDirectory() ? 'directory' : 'special file'}, expected a file`,
    );
  return stats.size;
}

/** Checks that `path` is an existing directory; throws a {@link CliFailure} naming it otherwise. */
export function requireDirectory(path: string, what = 'folder'): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new CliFailure(`${what} not found: ${path}`);
  if (!stats.isDirectory()) throw new CliFailure(`${what} ${path} is a file, expected a folder`);
}

/** Checks that `path` exists (a file or a folder); throws a {@link CliFailure} naming it otherwise. */
export function requirePath(path: string, what: string): void {
  if (!statSync(path, { throwIfNoEntry: false })) throw new CliFailure(`${what} not found: ${path}`);
}

/** The first `length` bytes of a file (fewer if it is shorter). */
export function readFilePrefix(path: string, length: number): Uint8Array {
  const prefix = new Uint8Array(length);
  const fd = openSync(path, 'r');
  try {
    return prefix.subarray(0, readSync(fd, prefix, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * A whole file as a plain Uint8Array. Node's Buffer is avoided on purpose: its `slice` returns a view
 * into a shared pool instead of a copy, which readers written for Uint8Array do not expect.
 */
export function readFileBytes(path: string): Uint8Array {
  const buffer = readFileSync(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
