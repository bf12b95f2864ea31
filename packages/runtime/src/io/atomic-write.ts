import { randomBytes } from 'node:crypto';
import {
  closeSync,
  promises as fsPromises,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Atomic file writes for Node (checkpoints, weight files, outputs): data goes to a temporary file
 * in the target's folder, is flushed to disk, then renamed over the target, so a crash or a full
 * disk leaves either the old file or the new one, never a torn one.
 */

/** Options of the atomic writers. */
export interface AtomicWriteOptions {
  /** Flush the file (and its folder) to disk before and after the rename. Default true. */
  fsync?: boolean;
  /** Create missing parent folders. Default true. */
  createDirectory?: boolean;
  /** Permission bits of a new file (before the umask). Default 0o666. */
  mode?: number;
}

/** A chunk to write: bytes, or text written as UTF-8. */
export type AtomicWriteChunk = Uint8Array | string;

function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function toBytes(chunk: AtomicWriteChunk): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

function wrapError(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`writeFileAtomic: could not write ${path}: ${message}`, { cause: error });
}

function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems cannot fsync a folder; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function syncDirectoryAsync(directory: string): Promise<void> {
  let handle: fsPromises.FileHandle | undefined;
  try {
    handle = await fsPromises.open(directory, 'r');
    await handle.sync();
  } catch {
    // See syncDirectory.
  } finally {
    await handle?.close();
  }
}

/**
 * Atomically writes the chunks of an (async) iterable to `path`, one chunk at a time, so a large
 * file never has to exist in memory at once.
 */
export async function writeFileAtomicFromChunks(
  path: string,
  chunks: Iterable<AtomicWriteChunk> | AsyncIterable<AtomicWriteChunk>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const directory = dirname(path);
  const temporary = temporaryPathFor(path);
  let handle: fsPromises.FileHandle | undefined;
  try {
    if (options.createDirectory ?? true) await fsPromises.mkdir(directory, { recursive: true });
    handle = await fsPromises.open(temporary, 'wx', options.mode ?? 0o666);
    for await (const chunk of chunks) {
      const bytes = toBytes(chunk);
      let written = 0;
      while (written < bytes.byteLength) {
        const result = await handle.write(bytes, written, bytes.byteLength - written);
        written += result.bytesWritten;
      }
    }
    if (options.fsync ?? true) await handle.sync();
    await handle.close();
    handle = undefined;
    await fsPromises.rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fsPromises.unlink(temporary).catch(() => undefined);
    throw wrapError(path, error);
  }
  if (options.fsync ?? true) await syncDirectoryAsync(directory);
}

/** Atomically replaces `path` with `data` (bytes, or text as UTF-8). */
export async function writeFileAtomic(
  path: string,
  data: AtomicWriteChunk,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomicFromChunks(path, [data], options);
}

/** Synchronous {@link writeFileAtomic}, for exit handlers and other places that cannot await. */
export function writeFileAtomicSync(
  path: string,
  data: AtomicWriteChunk,
  options: AtomicWriteOptions = {},
): void {
  const directory = dirname(path);
  const temporary = temporaryPathFor(path);
  let fd: number | undefined;
  try {
    if (options.createDirectory ?? true) mkdirSync(directory, { recursive: true });
    fd = openSync(temporary, 'wx', options.mode ?? 0o666);
    const bytes = toBytes(data);
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    if (options.fsync ?? true) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // The temporary file may not exist (open failed); nothing to clean up then.
    }
    throw wrapError(path, error);
  }
  if (options.fsync ?? true) syncDirectory(directory);
}
