import { readFileSync } from 'node:fs';
import { requireFile } from '../options/input-files';

/**
 * The captions of a text file, one per line (UTF-8, `\n` or `\r\n`). A final line break does not
 * start another caption, but empty lines elsewhere are kept as empty captions, so caption `i` is
 * always line `i` of the file.
 */
export function readCaptionsFile(path: string): string[] {
  requireFile(path, 'captions file');
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  if (text.length === 0) return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
