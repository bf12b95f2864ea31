import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { readSafetensors, type SafetensorsFile } from '../io/safetensors';

/**
 * The shared fixtures folder: `$RATLIP_SHARED/fixtures` when set, else `../shared/fixtures` beside the
 * repository root (the folder holding pnpm-workspace.yaml).
 */
export function fixturesRoot(): string {
  const fromEnv = process.env['RATLIP_SHARED'];
  if (fromEnv) return join(fromEnv, 'fixtures');
  let directory = process.cwd();
  while (!existsSync(join(directory, 'pnpm-workspace.yaml'))) {
    const parent = dirname(directory);
    if (parent === directory)
      throw new Error(`no pnpm-workspace.yaml above ${process.cwd()}: cannot locate ../shared`);
    directory = parent;
  }
  return resolve(directory, '..', 'shared', 'fixtures');
}

/** Absolute path of a fixture; throws naming the file when it is missing, so a test fails instead of passing. */
export function fixturePath(relative: string): string {
  const path = join(fixturesRoot(), relative);
  if (!existsSync(path))
    throw new Error(`fixture missing: ${path} (expected the shared fixtures beside the checkout)`);
  return path;
}

/** Reads a safetensors fixture, e.g. `readFixture('ratlip/03_affine.safetensors')`. */
export function readFixture(relative: string): SafetensorsFile {
  const path = fixturePath(relative);
  return readSafetensors(readFileSync(path), { source: path });
}

/** Parses a JSON fixture, e.g. `readJsonFixture('clip/fid64.json')`. */
export function readJsonFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as T;
}

/**
 * Relative paths (as `readFixture` takes them) of every fixture file whose name ends with
 * `extension` (default `'.safetensors'`; `''` lists all), found recursively and sorted. Lets a
 * test cover whatever fixtures exist instead of a hard-coded list.
 */
export function listFixtures(extension = '.safetensors'): string[] {
  const root = fixturesRoot();
  if (!existsSync(root)) throw new Error(`fixtures folder missing: ${root}`);
  const found: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(extension)) found.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return found.sort();
}
