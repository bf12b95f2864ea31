import type { SeededRandom } from '@ratlip/runtime';
import { article, SHAPES_SWAPPABLE_ATTRIBUTES, SHAPES_SYNONYMS, type ShapesCaptionObject } from './captions';

type ChangeableAttribute = 'shape' | 'colour' | 'size' | 'position';
const ATTRIBUTES: readonly ChangeableAttribute[] = ['shape', 'colour', 'size', 'position'];

/** "a S C N P", every word canonical; missing attributes are left out. */
function canonicalPhrase(object: ShapesCaptionObject): string {
  const words: string[] = [
    object.size && SHAPES_SYNONYMS.size[object.size][0],
    object.colour && SHAPES_SYNONYMS.colour[object.colour][0],
    SHAPES_SYNONYMS.shape[object.shape][0],
    object.position && SHAPES_SYNONYMS.position[object.position][0],
  ].filter((word) => word !== undefined);
  return `${article(words[0]!)} ${words.join(' ')}`;
}

/**
 * One caption for `objects` in canonical words ("a small red circle in the top left and a large blue
 * star at the bottom"), so that captions built from different objects differ only where the objects do.
 */
export function canonicalShapesCaption(objects: readonly ShapesCaptionObject[]): string {
  return objects.map(canonicalPhrase).join(' and ');
}

/**
 * Captions that differ from `objects` in exactly one attribute of one object (canonical words, as
 * {@link canonicalShapesCaption}), distinct, at most `count`. The changed attribute cycles through
 * the ones the objects have (in a random order), so each is contrasted about equally often; the
 * object and its new value are random.
 *
 * @example
 * ```ts
 * const { objects } = parseShapesCaption('a small red circle in the top left');
 * shapesCounterfactualCaptions(objects, 4, new SeededRandom(0));
 * // e.g. ['a small red star in the top left', 'a small red circle in the centre',
 * //       'a large red circle in the top left', 'a small cyan circle in the top left']
 * ```
 */
export function shapesCounterfactualCaptions(
  objects: readonly ShapesCaptionObject[],
  count: number,
  rng: SeededRandom,
): string[] {
  const original = canonicalShapesCaption(objects);
  const pools = rng
    .shuffle(ATTRIBUTES.filter((attribute) => objects.some((object) => object[attribute] !== undefined)))
    .map((attribute) => {
      const captions = new Set<string>();
      for (const [index, object] of objects.entries()) {
        const current = object[attribute];
        if (current === undefined) continue;
        for (const value of Object.keys(SHAPES_SYNONYMS[attribute])) {
          if (value === current) continue;
          const changed = objects.map((other, k) => (k === index ? { ...other, [attribute]: value } : other));
          captions.add(canonicalShapesCaption(changed));
        }
      }
      captions.delete(original);
      return rng.shuffle([...captions]);
    });
  const chosen = new Set<string>();
  while (chosen.size < count && pools.some((pool) => pool.length > 0)) {
    for (const pool of pools) {
      const caption = pool.pop();
      if (caption !== undefined && chosen.size < count) chosen.add(caption);
    }
  }
  return [...chosen];
}

/**
 * For two objects: the caption (canonical words) with one attribute exchanged between them, for each
 * attribute both objects have with different values. The same words as {@link canonicalShapesCaption}
 * bound the other way round, so they contrast binding, which one-attribute counterfactuals do not.
 * Empty for one object.
 *
 * @example
 * ```ts
 * shapesSwappedCaptions(parseShapesCaption('a small red circle on the left and a large blue square on the right').objects);
 * // ['a small blue circle on the left and a large red square on the right',
 * //  'a small red square on the left and a large blue circle on the right', ...]
 * ```
 */
export function shapesSwappedCaptions(objects: readonly ShapesCaptionObject[]): string[] {
  if (objects.length !== 2) return [];
  const [first, second] = objects as [ShapesCaptionObject, ShapesCaptionObject];
  return SHAPES_SWAPPABLE_ATTRIBUTES.filter(
    (attribute) =>
      first[attribute] !== undefined &&
      second[attribute] !== undefined &&
      first[attribute] !== second[attribute],
  ).map((attribute) =>
    canonicalShapesCaption([
      { ...first, [attribute]: second[attribute] },
      { ...second, [attribute]: first[attribute] },
    ]),
  );
}
