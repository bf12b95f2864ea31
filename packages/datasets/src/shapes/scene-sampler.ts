import type { SeededRandom } from '@ratlip/runtime';
import {
  matchesCombination,
  SHAPES_BACKGROUND_LEVELS,
  SHAPES_COLOUR_NAMES,
  SHAPES_KINDS,
  SHAPES_OUTLINES,
  SHAPES_POSITION_NAMES,
  SHAPES_POSITIONS,
  SHAPES_SIZE_NAMES,
  SHAPES_SIZES,
  type ShapesBackground,
  type ShapesCombination,
  type ShapesObject,
  type ShapesScene,
} from './vocabulary';

/** Smallest gap between two objects' bounding circles, as a fraction of the image side. */
export const SHAPES_MIN_GAP = 0.02;

/** How scenes are drawn from the attribute space. */
export interface ShapesSceneOptions {
  /** Most objects per image, 1 or 2. Default 2. */
  maxObjects: 1 | 2;
  /** Probability of a two-object scene when `maxObjects` is 2. Default 0.5. */
  twoObjectProbability: number;
  /** Backgrounds drawn uniformly. Default both `plain` and `noisy`. */
  backgrounds: readonly ShapesBackground[];
  /** Largest random offset of a centre from its nominal position (fraction of the side). */
  jitter: number;
  /** Combinations kept out of `train`/`test` and put in every `heldout` scene. */
  heldOut: readonly ShapesCombination[];
}

type Attributes = Omit<ShapesObject, 'centre' | 'halfExtent'>;

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function randomAttributes(rng: SeededRandom, fixed: ShapesCombination = {}): Attributes {
  return {
    shape: fixed.shape ?? pick(rng, SHAPES_KINDS),
    colour: fixed.colour ?? pick(rng, SHAPES_COLOUR_NAMES),
    size: fixed.size ?? pick(rng, SHAPES_SIZE_NAMES),
    position: fixed.position ?? pick(rng, SHAPES_POSITION_NAMES),
  };
}

/** Attributes with no held-out combination, by rejection (so the kept space stays uniform). */
function allowedAttributes(rng: SeededRandom, heldOut: readonly ShapesCombination[]): Attributes {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const attributes = randomAttributes(rng);
    if (!heldOut.some((combination) => matchesCombination(attributes, combination))) return attributes;
  }
  throw new Error(
    'Shapes: the held-out combinations exclude (almost) every object; hold out fewer combinations',
  );
}

function place(rng: SeededRandom, attributes: Attributes, jitter: number): ShapesObject {
  const [x, y] = SHAPES_POSITIONS[attributes.position];
  return {
    ...attributes,
    centre: [x + (2 * rng.uniform() - 1) * jitter, y + (2 * rng.uniform() - 1) * jitter],
    halfExtent: SHAPES_SIZES[attributes.size],
  };
}

function overlaps(a: ShapesObject, b: ShapesObject): boolean {
  const reach =
    SHAPES_OUTLINES[a.shape].boundingRadius * a.halfExtent +
    SHAPES_OUTLINES[b.shape].boundingRadius * b.halfExtent;
  return Math.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1]) < reach + SHAPES_MIN_GAP;
}

/**
 * Draws one scene. With `containHeldOut` false no object matches a held-out combination; with it true,
 * one object (chosen at random) is a held-out combination with its other attributes random, and the
 * other object (if any) is drawn as in training. Two objects never share both shape and colour, sit at
 * different positions and never overlap.
 */
export function sampleShapesScene(
  rng: SeededRandom,
  options: ShapesSceneOptions,
  containHeldOut: boolean,
): ShapesScene {
  if (containHeldOut && options.heldOut.length === 0) {
    throw new Error('Shapes: the heldout split needs at least one held-out combination');
  }
  const count = options.maxObjects === 2 && rng.uniform() < options.twoObjectProbability ? 2 : 1;
  const background = pick(rng, options.backgrounds);
  const [low, high] = SHAPES_BACKGROUND_LEVELS;
  const backgroundLevel = low + rng.int(high - low + 1);
  const noiseSeed = rng.nextUint32();
  const heldOutSlot = containHeldOut ? rng.int(count) : -1;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const objects: ShapesObject[] = [];
    for (let slot = 0; slot < count; slot++) {
      const attributes =
        slot === heldOutSlot
          ? randomAttributes(rng, pick(rng, options.heldOut))
          : allowedAttributes(rng, options.heldOut);
      const object = place(rng, attributes, options.jitter);
      const clash = objects.some(
        (other) =>
          other.position === object.position ||
          (other.shape === object.shape && other.colour === object.colour) ||
          overlaps(other, object),
      );
      if (clash) break;
      objects.push(object);
    }
    if (objects.length === count) return { objects, background, backgroundLevel, noiseSeed };
  }
  throw new Error(
    'Shapes: could not place the objects without overlap; this is a bug in the Shapes geometry',
  );
}
