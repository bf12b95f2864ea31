import { describe, expect, it } from 'vitest';
import {
  formatModelIndex,
  isModelIndexId,
  type ModelIndex,
  parseModelIndex,
  parseModelIndexText,
  upsertModelIndexEntry,
} from './model-index';

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

  it('parses text and names the file when it is not JSON', () => {
    expect(parseModelIndexText('{"formatVersion": 1, "models": []}').models).toEqual([]);
    expect(() => parseModelIndexText('{', 'public/models/index.json')).toThrow(
      /^public\/models\/index\.json: is not valid JSON/,
    );
  });
});

describe('upsertModelIndexEntry', () => {
  const index: ModelIndex = {
    formatVersion: 1,
    models: [
      { id: 'a', name: 'A', manifest: 'a/manifest.json' },
      { id: 'b', name: 'B', manifest: 'b/manifest.json' },
      { id: 'c', name: 'C', manifest: 'c/manifest.json' },
    ],
  };
  const ids = (result: ModelIndex) => result.models.map((entry) => `${entry.id}:${entry.name}`);

  it('appends a new model and leaves the input alone', () => {
    const before = structuredClone(index);
    const result = upsertModelIndexEntry(index, { id: 'd', name: 'D', manifest: 'd/manifest.json' });
    expect(ids(result)).toEqual(['a:A', 'b:B', 'c:C', 'd:D']);
    expect(index).toEqual(before);
    expect(ids(upsertModelIndexEntry({ formatVersion: 1, models: [] }, index.models[1]!))).toEqual(['b:B']);
  });

  it('replaces a model with the same id or manifest where it stands', () => {
    expect(ids(upsertModelIndexEntry(index, { id: 'b', name: 'B2', manifest: 'b2/manifest.json' }))).toEqual([
      'a:A',
      'b:B2',
      'c:C',
    ]);
    expect(ids(upsertModelIndexEntry(index, { id: 'b2', name: 'B2', manifest: 'b/manifest.json' }))).toEqual([
      'a:A',
      'b2:B2',
      'c:C',
    ]);
    // Same id as b and same manifest as c: one model now, where the first of them stood.
    expect(ids(upsertModelIndexEntry(index, { id: 'b', name: 'X', manifest: 'c/manifest.json' }))).toEqual([
      'a:A',
      'b:X',
    ]);
  });

  it('moves the model to the front when it becomes the default', () => {
    const entry = { id: 'c', name: 'C2', manifest: 'c/manifest.json', description: 'New.' };
    const result = upsertModelIndexEntry(index, entry, { makeDefault: true });
    expect(ids(result)).toEqual(['c:C2', 'a:A', 'b:B']);
    expect(result.models[0]).toEqual(entry);
  });

  it('refuses an entry that breaks the format, naming the index', () => {
    expect(() =>
      upsertModelIndexEntry(
        index,
        { id: 'bad id', name: 'X', manifest: 'x/manifest.json' },
        { source: 'public/models/index.json' },
      ),
    ).toThrow('public/models/index.json being written: models[3].id must be 1 to 64 letters');
    expect(() =>
      upsertModelIndexEntry(index, { id: 'x', name: 'X', manifest: '../x/manifest.json' }),
    ).toThrow('models[3].manifest must be a relative path');
  });
});

describe('formatModelIndex and isModelIndexId', () => {
  it('writes text that parses back', () => {
    const index: ModelIndex = {
      formatVersion: 1,
      models: [{ id: 'a', name: 'A', manifest: 'a/manifest.json' }],
    };
    const text = formatModelIndex(index);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseModelIndexText(text)).toEqual(index);
  });

  it('tells ids from other names', () => {
    expect(isModelIndexId('shapes-64_v2')).toBe(true);
    expect(isModelIndexId('')).toBe(false);
    expect(isModelIndexId('a b')).toBe(false);
    expect(isModelIndexId('x'.repeat(65))).toBe(false);
  });
});
