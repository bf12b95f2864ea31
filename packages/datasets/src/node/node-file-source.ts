import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileEntry, FileSource } from '../types';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads dataset files from the local disk (Node). Symbolic links are followed. */
export function nodeFileSource(): FileSource {
  return {
    description: 'the local file system',
    async read(path: string): Promise<Uint8Array | undefined> {
      try {
        const buffer = await readFile(path);
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async list(path: string): Promise<FileEntry[] | undefined> {
      try {
        const entries = await readdir(path, { withFileTypes: true });
        return Promise.all(
          entries.map(async (entry) => ({
            name: entry.name,
            isDirectory: entry.isSymbolicLink()
              ? (await stat(join(path, entry.name)).catch(() => undefined))?.isDirectory() === true
              : entry.isDirectory(),
          })),
        );
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}
