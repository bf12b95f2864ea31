import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelIndexText } from '@ratlip/ratlip-gan';
import { describe, expect, it } from 'vitest';
import { CliFailure } from '../cli-errors';
import { temporaryFolder } from '../run-cli.test-support';
import { addToModelIndex } from './web-export';

const root = temporaryFolder('ratlip-web-export-');
let next = 0;

/** A fresh `models/` folder with its (not yet existing) index path. */
function modelsFolder(): { folder: string; index: string } {
  const folder = join(root, `case-${next++}`, 'models');
  mkdirSync(folder, { recursive: true });
  return { folder, index: join(folder, 'index.json') };
}

function readIndex(path: string) {
  return parseModelIndexText(readFileSync(path, 'utf8'), path);
}

describe('addToModelIndex', () => {
  it('creates the index, then adds and updates entries, leaving no temporary files', async () => {
    const { folder, index } = modelsFolder();
    const first = await addToModelIndex({ path: index }, join(folder, 'shapes'), { name: 'Shapes' });
    expect(first).toEqual({ id: 'shapes', name: 'Shapes', manifest: 'shapes/manifest.json' });
    expect(readIndex(index).models).toEqual([first]);

    await addToModelIndex({ path: index, id: 'tiny' }, join(folder, 'nested', 'tiny-1'), {
      name: 'Tiny',
      description: 'A test.',
    });
    await addToModelIndex({ path: index }, join(folder, 'shapes'), { name: 'Shapes v2' });
    expect(readIndex(index).models).toEqual([
      { id: 'shapes', name: 'Shapes v2', manifest: 'shapes/manifest.json' },
      { id: 'tiny', name: 'Tiny', manifest: 'nested/tiny-1/manifest.json', description: 'A test.' },
    ]);

    await addToModelIndex({ path: index, id: 'tiny', makeDefault: true }, join(folder, 'nested', 'tiny-1'), {
      name: 'Tiny',
    });
    expect(readIndex(index).models.map((entry) => entry.id)).toEqual(['tiny', 'shapes']);
    expect(readdirSync(folder).sort()).toEqual(['index.json']);
    expect(readFileSync(index, 'utf8').endsWith('}\n')).toBe(true);
  });

  it('refuses a model folder outside the index folder, or the index folder itself', async () => {
    const { folder, index } = modelsFolder();
    for (const out of [join(folder, '..', 'elsewhere'), folder]) {
      await expect(addToModelIndex({ path: index }, out, { name: 'X' })).rejects.toThrow(
        /--index .*index\.json: the model folder .* must be a subfolder of the index's folder/,
      );
    }
    expect(existsSync(index)).toBe(false);
  });

  it('asks for --id when the folder name is not a valid id, and refuses paths the format does not allow', async () => {
    const { folder, index } = modelsFolder();
    const failure = addToModelIndex({ path: index }, join(folder, 'shapes.v2'), { name: 'X' });
    await expect(failure).rejects.toBeInstanceOf(CliFailure);
    await expect(addToModelIndex({ path: index }, join(folder, 'shapes.v2'), { name: 'X' })).rejects.toThrow(
      `the model id "shapes.v2" must be 1 to 64 letters, digits, '-' or '_'; rename the output folder or pass --id <id>`,
    );
    const entry = await addToModelIndex({ path: index, id: 'shapes-v2' }, join(folder, 'shapes.v2'), {
      name: 'X',
    });
    expect(entry).toEqual({ id: 'shapes-v2', name: 'X', manifest: 'shapes.v2/manifest.json' });
    await expect(
      addToModelIndex({ path: index, id: 'spaced' }, join(folder, 'my model'), { name: 'X' }),
    ).rejects.toThrow(`${index} being written: models[1].manifest must be a relative path of plain segments`);
  });

  it('names the index file and field when the existing index is invalid, and leaves it alone', async () => {
    const { folder, index } = modelsFolder();
    const invalid = '{"formatVersion": 1, "models": [{"id": "a"}]}\n';
    writeFileSync(index, invalid);
    const failure = addToModelIndex({ path: index }, join(folder, 'shapes'), { name: 'Shapes' });
    await expect(failure).rejects.toBeInstanceOf(CliFailure);
    await expect(
      addToModelIndex({ path: index }, join(folder, 'shapes'), { name: 'Shapes' }),
    ).rejects.toThrow(`${index}: models[0].name must be a string`);
    expect(readFileSync(index, 'utf8')).toBe(invalid);
  });
});
