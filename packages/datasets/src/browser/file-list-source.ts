import type { FileEntry, FileSource } from '../types';

/**
 * Reads dataset files the user picked: the `FileList` of `<input type="file" webkitdirectory>` or
 * dropped files. Paths are the files' `webkitRelativePath` (e.g. `birds/text/...`), so open the dataset
 * at the picked folder's name (`'birds:birds'`).
 */
export function fileListSource(files: Iterable<File>): FileSource {
  const byPath = new Map<string, File>();
  const children = new Map<string, Map<string, boolean>>();
  for (const file of files) {
    const path = (file.webkitRelativePath || file.name).replace(/\\/g, '/');
    byPath.set(path, file);
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join('/');
      if (!children.has(parent)) children.set(parent, new Map());
      children.get(parent)!.set(parts[depth]!, depth < parts.length - 1);
    }
  }
  const normalise = (path: string) =>
    path
      .replace(/\\/g, '/')
      .replace(/^\.?\/+/, '')
      .replace(/\/+$/, '');
  return {
    description: 'the picked files',
    async read(path: string): Promise<Uint8Array | undefined> {
      const file = byPath.get(normalise(path));
      return file ? new Uint8Array(await file.arrayBuffer()) : undefined;
    },
    async list(path: string): Promise<FileEntry[] | undefined> {
      const entries = children.get(normalise(path));
      if (!entries) return undefined;
      return [...entries].map(([name, isDirectory]) => ({ name, isDirectory }));
    },
  };
}
