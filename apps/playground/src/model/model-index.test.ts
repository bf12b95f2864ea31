import { describe, expect, it } from 'vitest';
import { parseModelIndex } from './model-index';

describe('parseModelIndex', () => {
  it('accepts an empty list and a list of models', () => {
    expect(parseModelIndex({ formatVersion: 1, models: [] }).models).toEqual([]);
    const models = [
      { id: 'shapes-64', name: 'Shapes', manifest: 'shapes-64/manifest.json', description: 'Shapes.' },
      { id: 'tiny', name: 'Tiny', manifest: 'nested/tiny/manifest.json' },
    ];
    expect(parseModelIndex({ formatVersion: 1, models }).models).toEqual(models);
  });

  it.each([
    [{ models: [] }, 'index.json: formatVersion must be 1, got nothing'],
    [{ formatVersion: 1, models: {} }, 'index.json: models must be an array, got an object'],
    [{ formatVersion: 1, models: [], extra: true }, "has unknown field 'extra'"],
    [
      { formatVersion: 1, models: [{ id: 'a b', name: 'A', manifest: 'a/manifest.json' }] },
      'models[0].id must be 1 to 64 letters',
    ],
    [
      { formatVersion: 1, models: [{ id: 'a', name: 'A', manifest: 'a/model.json' }] },
      "models[0].manifest must end with '/manifest.json'",
    ],
    [
      { formatVersion: 1, models: [{ id: 'a', name: 'A', manifest: '../a/manifest.json' }] },
      'models[0].manifest must be a relative path',
    ],
    [
      {
        formatVersion: 1,
        models: [
          { id: 'a', name: 'A', manifest: 'a/manifest.json' },
          { id: 'a', name: 'B', manifest: 'b/manifest.json' },
        ],
      },
      "models[1].id 'a' is used by an earlier model",
    ],
  ])('refuses %j', (json, message) => {
    expect(() => parseModelIndex(json, 'index.json')).toThrow(message);
  });

  it('accepts the index shipped in public/models', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../public/models/index.json', import.meta.url), 'utf8');
    expect(() => parseModelIndex(JSON.parse(text))).not.toThrow();
  });
});
