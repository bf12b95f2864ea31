import {
  type SampleGrouping,
  ShapesDataset,
  type ShapesObject,
  type TextImageDataset,
} from '@ratlip/datasets';

/** Attributes of a Shapes object that a grouping can hold fixed. */
export type ShapesGroupAttribute = keyof Pick<ShapesObject, 'shape' | 'colour' | 'size' | 'position'>;

/**
 * Runs of `size` Shapes scenes whose first objects share `attributes`: neighbouring captions then
 * differ only in the other attributes (or a second object), hard negatives that a contrastive or
 * matching loss must learn to tell apart. None for other datasets or size 0.
 *
 * @example
 * ```ts
 * // GAN training: mismatched pairs (captions rolled by one) that differ in shape or size.
 * new DataPipeline({ dataset, batchSize: 8, imageSize: 32, seed, group: shapesGrouping(dataset, 2, ['colour', 'position']) });
 * ```
 */
export function shapesGrouping(
  dataset: TextImageDataset,
  size: number,
  attributes: readonly ShapesGroupAttribute[],
): SampleGrouping | undefined {
  if (size === 0 || !(dataset instanceof ShapesDataset)) return undefined;
  return {
    key: (index) => {
      const object = dataset.scene(index).objects[0]!;
      return attributes.map((attribute) => object[attribute]).join(' ');
    },
    size,
  };
}
