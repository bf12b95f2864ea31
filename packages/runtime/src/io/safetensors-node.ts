import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type AtomicWriteOptions, writeFileAtomicFromChunks } from './atomic-write';
import {
  parseHeaderJson,
  planSafetensors,
  readHeaderLength,
  type SafetensorsByteSource,
  SafetensorsError,
  SafetensorsFile,
  type SafetensorsHeader,
  type SafetensorsInput,
  type SafetensorsParseOptions,
} from './safetensors';

/**
 * safetensors files on disk (Node only). Opening reads just the header; each tensor is then read
 * with a positioned read when asked for, so loading a model needs one tensor's worth of memory on
 * top of the tensors kept, never a copy of the whole file.
 */

/** Positioned reads of an open file descriptor, with counters. */
export class PositionedReader implements SafetensorsByteSource {
  readonly fresh = true;
  bytesRead = 0;
  largestRead = 0;
  private fd: number | undefined;

  constructor(
    fd: number,
    readonly fileBytes: number,
    private readonly source: string,
  ) {
    this.fd = fd;
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  read(begin: number, end: number): Uint8Array {
    if (this.fd === undefined) throw new SafetensorsError(this.source, 'file is closed');
    const out = new Uint8Array(end - begin);
    let filled = 0;
    while (filled < out.byteLength) {
      const count = readSync(this.fd, out, filled, out.byteLength - filled, begin + filled);
      if (count === 0) {
        throw new SafetensorsError(
          this.source,
          `file ended at byte ${begin + filled} while reading bytes [${begin}, ${end}) (did it shrink after opening?)`,
        );
      }
      filled += count;
    }
    this.bytesRead += out.byteLength;
    this.largestRead = Math.max(this.largestRead, out.byteLength);
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A safetensors file opened from disk. Call {@link close} when done (or use {@link withSafetensorsFile}). */
export class SafetensorsFileHandle extends SafetensorsFile {
  constructor(
    header: SafetensorsHeader,
    private readonly reader: PositionedReader,
    readonly path: string,
  ) {
    super(header, reader, path);
  }

  /** Size of the file in bytes. */
  get fileBytes(): number {
    return this.reader.fileBytes;
  }

  /** Bytes read from the file so far (header included); shows that tensors are read on demand. */
  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  /** Largest single read so far, in bytes: the most memory one read has needed. */
  get largestRead(): number {
    return this.reader.largestRead;
  }

  get closed(): boolean {
    return this.reader.closed;
  }

  /** Closes the file descriptor; later reads throw. Closing twice is harmless. */
  close(): void {
    this.reader.close();
  }
}

/**
 * Opens a safetensors file: validates the whole header (size cap, dtypes, shapes, offsets
 * against the file size) before any tensor is read. Throws {@link SafetensorsError} naming the
 * path for malformed files.
 */
export function openSafetensorsFile(
  path: string,
  options: SafetensorsParseOptions = {},
): SafetensorsFileHandle {
  const source = options.source ?? path;
  const parseOptions = { ...options, source };
  const fd = openSync(path, 'r');
  const reader = new PositionedReader(fd, fstatSync(fd).size, source);
  try {
    const prefixLength = Math.min(8, reader.fileBytes);
    const headerLength = readHeaderLength(reader.read(0, prefixLength), parseOptions, reader.fileBytes);
    const headerBytes = reader.read(8, 8 + headerLength);
    const header = parseHeaderJson(headerBytes, reader.fileBytes - 8 - headerLength, parseOptions);
    return new SafetensorsFileHandle(header, reader, source);
  } catch (error) {
    reader.close();
    throw error;
  }
}

/**
 * Opens `path`, passes the file to `use`, and closes it when `use` returns (or its promise
 * settles). Returns what `use` returns.
 */
export function withSafetensorsFile<T>(
  path: string,
  use: (file: SafetensorsFileHandle) => T,
  options: SafetensorsParseOptions = {},
): T {
  const file = openSafetensorsFile(path, options);
  let result: T;
  try {
    result = use(file);
  } catch (error) {
    file.close();
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => file.close()) as T;
  }
  file.close();
  return result;
}

/**
 * Writes a safetensors file atomically (temporary file in the same folder, then rename), encoding
 * and writing one tensor at a time. Layout as `writeSafetensors`.
 */
export async function saveSafetensorsFile(
  path: string,
  tensors: Record<string, SafetensorsInput>,
  metadata: Record<string, string> = {},
  options: AtomicWriteOptions = {},
): Promise<void> {
  const plan = planSafetensors(tensors, metadata);
  function* chunks(): Generator<Uint8Array> {
    yield plan.prefix;
    for (const tensor of plan.tensors) yield tensor.encode();
  }
  await writeFileAtomicFromChunks(path, chunks(), options);
}
