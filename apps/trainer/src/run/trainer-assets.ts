import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliFailure } from '../cli-errors';

/**
 * The Shapes generator shipped in `assets/` (a generator-only checkpoint folder, see
 * `ratlip export --generator`): what `ratlip sample` uses when given no run.
 */
export const SHIPPED_GENERATOR = 'shapes-generator';

/**
 * The trainer's `assets/` folder. The code runs from `src/run/` (tests) or from a bundle in `dist/`,
 * so the folder is found by walking up to the package root rather than by a fixed relative path.
 */
export function trainerAssetsFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'assets'))) {
      return join(folder, 'assets');
    }
    const parent = dirname(folder);
    if (parent === folder)
      throw new CliFailure("the trainer's assets folder is missing from this installation");
    folder = parent;
  }
}
