import { DataPipeline, ShapesDataset } from '@ratlip/datasets';
import { describe, expect, it } from 'vitest';
import { shapesGrouping } from './shapes-grouping';

describe('shapesGrouping', () => {
  it('orders Shapes batches in pairs sharing the colour and position of the first object', async () => {
    const dataset = new ShapesDataset({ imageSize: 32 });
    const group = shapesGrouping(dataset, 2, ['colour', 'position'])!;
    const pipeline = new DataPipeline({ dataset, batchSize: 8, imageSize: 32, seed: 4, group });
    const batch = (await pipeline.nextBatch())!;
    pipeline.close();
    const keys = batch.indices.map((index) => {
      const object = dataset.scene(index).objects[0]!;
      return `${object.colour} ${object.position}`;
    });
    for (let pair = 0; pair < keys.length; pair += 2) expect(keys[pair]).toBe(keys[pair + 1]);
    expect(new Set(keys).size).toBeGreaterThan(1);
  });

  it('leaves the order alone for size 0', () => {
    expect(shapesGrouping(new ShapesDataset({ imageSize: 32 }), 0, ['colour'])).toBeUndefined();
  });
});
