import { SeededRandom } from '@ratlip/runtime';
import { describe, expect, it } from 'vitest';
import { parseShapesCaption, SHAPES_SYNONYMS, type ShapesCaptionObject } from './captions';
import {
  canonicalShapesCaption,
  shapesCounterfactualCaptions,
  shapesSwappedCaptions,
} from './counterfactual-captions';
import { ShapesDataset } from './shapes-dataset';

const ATTRIBUTES = ['shape', 'colour', 'size', 'position'] as const;

/** The (object, attribute) pairs in which `changed` differs from `original`. */
function differences(original: readonly ShapesCaptionObject[], changed: readonly ShapesCaptionObject[]) {
  const found: string[] = [];
  original.forEach((object, i) => {
    for (const attribute of ATTRIBUTES) {
      if (object[attribute] !== changed[i]?.[attribute]) found.push(`${i}.${attribute}`);
    }
  });
  return found;
}

describe('Shapes counterfactual captions', () => {
  const dataset = new ShapesDataset({ split: 'train', size: 40, seed: 3 });

  it('the canonical caption parses back to the same objects, whatever the template and synonyms', async () => {
    for (let index = 0; index < dataset.size; index++) {
      const { objects } = parseShapesCaption((await dataset.loadCaptions(index))[0]!);
      expect(parseShapesCaption(canonicalShapesCaption(objects)).objects).toEqual(objects);
    }
  });

  it('each counterfactual changes exactly one attribute of one object, and they are distinct', async () => {
    const rng = new SeededRandom(7);
    for (let index = 0; index < dataset.size; index++) {
      const { objects } = parseShapesCaption((await dataset.loadCaptions(index))[0]!);
      const captions = shapesCounterfactualCaptions(objects, 8, rng);
      expect(captions).toHaveLength(8);
      expect(new Set(captions).size).toBe(captions.length);
      for (const caption of captions) {
        const parsed = parseShapesCaption(caption).objects;
        expect(parsed).toHaveLength(objects.length);
        expect(differences(objects, parsed), caption).toHaveLength(1);
      }
    }
  });

  it('the changed attribute cycles through the attributes, so each is contrasted equally often', () => {
    const objects: ShapesCaptionObject[] = [
      { shape: 'circle', colour: 'red', size: 'small', position: 'top-left' },
    ];
    const captions = shapesCounterfactualCaptions(objects, 8, new SeededRandom(1));
    const changed = captions.map((caption) => differences(objects, parseShapesCaption(caption).objects)[0]);
    for (const attribute of ATTRIBUTES) {
      expect(
        changed.filter((name) => name === `0.${attribute}`),
        attribute,
      ).toHaveLength(2);
    }
  });

  it('runs out after every single change: a shape-only object has one per other shape', () => {
    const captions = shapesCounterfactualCaptions([{ shape: 'star' }], 100, new SeededRandom(2));
    const otherShapes = Object.keys(SHAPES_SYNONYMS.shape).filter((shape) => shape !== 'star');
    expect(captions.map((caption) => parseShapesCaption(caption).objects[0]!.shape).sort()).toEqual(
      otherShapes.sort(),
    );
    expect(shapesCounterfactualCaptions([], 4, new SeededRandom(2))).toEqual([]);
  });

  it('is determined by the generator state', () => {
    const objects = parseShapesCaption(
      'a large blue star at the bottom and a small red disc on the left',
    ).objects;
    expect(shapesCounterfactualCaptions(objects, 6, new SeededRandom(4))).toEqual(
      shapesCounterfactualCaptions(objects, 6, new SeededRandom(4)),
    );
  });

  it('swaps each differing attribute between two objects, keeping the words and changing the binding', () => {
    const objects = parseShapesCaption(
      'a small red circle on the left and a large blue circle on the right',
    ).objects;
    const swapped = shapesSwappedCaptions(objects);
    expect(swapped).toHaveLength(3);
    const words = (caption: string) => caption.split(' ').sort();
    for (const caption of swapped) {
      const parsed = parseShapesCaption(caption).objects;
      expect(words(caption)).toEqual(words(canonicalShapesCaption(objects)));
      const changed = differences(objects, parsed);
      expect(changed, caption).toHaveLength(2);
      expect(changed[0]!.slice(2), caption).toBe(changed[1]!.slice(2));
    }
    expect(
      new Set(
        swapped.map((caption) => differences(objects, parseShapesCaption(caption).objects)[0]!.slice(2)),
      ),
    ).toEqual(new Set(['colour', 'size', 'position']));
    expect(shapesSwappedCaptions([objects[0]!])).toEqual([]);
  });
});
