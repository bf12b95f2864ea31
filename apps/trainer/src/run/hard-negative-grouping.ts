import { type SampleGrouping, ShapesDataset, type TextImageDataset } from '@ratlip/datasets';

/**
 * Runs of `size` Shapes scenes whose first objects share colour and position: rolled by one, their
 * captions differ only in shape, size or a second object, which the matching loss must then learn.
 * None for other datasets or size 0.
 */
export function hardNegativeGrouping(dataset: TextImageDataset, size: number): SampleGrouping | undefined {
  if (size === 0 || !(dataset instanceof ShapesDataset)) return undefined;
  return {
    key: (index) => {
      const object = dataset.scene(index).objects[0]!;
      return `${object.colour} ${object.position}`;
    },
    size,
  };
}
