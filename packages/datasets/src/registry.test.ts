import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors';
import { datasetKinds, openDataset, parseDatasetSpec, registerDatasetKind } from './registry';
import { ShapesDataset } from './shapes/shapes-dataset';

describe('dataset registry', () => {
  it('lists the built-in kinds and parses kind:path at the first colon', () => {
    expect([...datasetKinds().keys()]).toEqual(['birds', 'flowers', 'faces', 'folder', 'manifest', 'shapes']);
    expect(parseDatasetSpec('folder:C:\\pics')).toEqual({ kind: 'folder', path: 'C:\\pics' });
    expect(parseDatasetSpec('shapes')).toEqual({ kind: 'shapes', path: '' });
  });

  it('explains unknown kinds, missing paths and missing file access', async () => {
    await expect(openDataset('coco:/data')).rejects.toThrow(
      /unknown dataset kind "coco"; known kinds: birds, flowers/,
    );
    await expect(openDataset('birds')).rejects.toThrow(/needs a path: birds:<path>/);
    const error = await openDataset('birds:/data/birds').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).message).toMatch(/io: nodeDatasetIO\(\) from @ratlip\/datasets\/node/);
  });

  it('accepts registered kinds', async () => {
    registerDatasetKind('tiny-shapes', {
      description: 'Shapes at 32 px',
      readsFiles: false,
      open: async () => new ShapesDataset({ imageSize: 32, size: 5 }),
    });
    expect((await openDataset('tiny-shapes')).size).toBe(5);
    expect(() => registerDatasetKind('Bad Name', datasetKinds().get('shapes')!)).toThrow(/lower-case/);
  });
});
