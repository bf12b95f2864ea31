import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliFailure, oneLine } from '../cli-errors';
import { requireFile } from '../options/input-files';

/** Parsers of config files, by extension. */
const CONFIG_PARSERS: Readonly<Record<string, (text: string) => unknown>> = {
  '.json': (text) => JSON.parse(text),
  '.yaml': (text) => parseYaml(text),
  '.yml': (text) => parseYaml(text),
};

/**
 * Reads a `.yaml`, `.yml` or `.json` config file into a plain object. A missing file, another
 * extension, a syntax error or a top level that is not a mapping is a {@link CliFailure} naming the file.
 */
export function loadConfigFile(path: string): Record<string, unknown> {
  requireFile(path, 'config file');
  const extension = extname(path).toLowerCase();
  const parse = CONFIG_PARSERS[extension];
  if (!parse) {
    throw new CliFailure(
      `config file ${path}: unknown extension '${extension}'; expected ${Object.keys(CONFIG_PARSERS).join(', ')}`,
    );
  }
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliFailure(
      `config file ${path}: not valid ${extension.slice(1).toUpperCase()}: ${oneLine(String((error as Error).message))}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliFailure(`config file ${path}: expected a mapping of settings at the top level`);
  }
  return value as Record<string, unknown>;
}
