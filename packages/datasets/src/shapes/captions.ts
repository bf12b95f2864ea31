import type { SeededRandom } from '@ratlip/runtime';
import type {
  ShapesBackground,
  ShapesColour,
  ShapesKind,
  ShapesObject,
  ShapesPosition,
  ShapesScene,
  ShapesSize,
} from './vocabulary';

/**
 * The words captions use for each attribute value; the first is the canonical word. Every synonym is
 * recognised by {@link parseShapesCaption}.
 */
export const SHAPES_SYNONYMS = {
  shape: {
    circle: ['circle', 'disc', 'dot'],
    square: ['square', 'block'],
    triangle: ['triangle'],
    diamond: ['diamond', 'rhombus'],
    star: ['star', 'five-pointed star'],
    hexagon: ['hexagon', 'six-sided shape'],
    cross: ['cross', 'plus sign'],
  },
  colour: {
    red: ['red'],
    green: ['green'],
    blue: ['blue'],
    yellow: ['yellow'],
    orange: ['orange'],
    purple: ['purple', 'violet'],
    pink: ['pink'],
    cyan: ['cyan', 'turquoise'],
    brown: ['brown'],
    white: ['white'],
    black: ['black'],
  },
  size: {
    small: ['small', 'little', 'tiny'],
    medium: ['medium', 'medium-sized', 'mid-sized'],
    large: ['large', 'big', 'huge'],
  },
  position: {
    'top-left': ['in the top left', 'in the upper left', 'in the top left corner', 'at the top left'],
    top: ['at the top', 'near the top', 'at the top edge'],
    'top-right': ['in the top right', 'in the upper right', 'in the top right corner', 'at the top right'],
    left: ['on the left', 'on the left side', 'at the left'],
    centre: ['in the centre', 'in the center', 'in the middle', 'at the center'],
    right: ['on the right', 'on the right side', 'at the right'],
    'bottom-left': [
      'in the bottom left',
      'in the lower left',
      'in the bottom left corner',
      'at the bottom left',
    ],
    bottom: ['at the bottom', 'near the bottom', 'at the bottom edge'],
    'bottom-right': [
      'in the bottom right',
      'in the lower right',
      'in the bottom right corner',
      'at the bottom right',
    ],
  },
  background: {
    plain: ['plain', 'flat', 'uniform'],
    noisy: ['noisy', 'grainy', 'speckled'],
  },
} as const satisfies {
  shape: Record<ShapesKind, readonly string[]>;
  colour: Record<ShapesColour, readonly string[]>;
  size: Record<ShapesSize, readonly string[]>;
  position: Record<ShapesPosition, readonly string[]>;
  background: Record<ShapesBackground, readonly string[]>;
};

/** Lead-ins of the "an image of ..." templates. */
const LEADS = ['an image of', 'a picture of', 'a drawing of'] as const;
const COLOURED = ['coloured', 'colored'] as const;

/** One object's words, synonyms already chosen. */
interface ObjectWords {
  size: string;
  colour: string;
  shape: string;
  position: string;
}

type Template = (objects: ObjectWords[], background: string, lead: string, coloured: string) => string;

const phrase = (o: ObjectWords) => `${article(o.size)} ${o.size} ${o.colour} ${o.shape} ${o.position}`;

/**
 * Caption templates for one-object scenes (`S` size, `C` colour, `N` shape, `P` position, `B` background):
 * "a S C N P", "there is a S C N P", "P, there is a S C N", "an image of a S C N P",
 * "a S N coloured C P", "a S C N P on a B background".
 */
export const SHAPES_SINGLE_TEMPLATES: readonly Template[] = [
  ([o]) => phrase(o!),
  ([o]) => `there is ${phrase(o!)}`,
  ([o]) => `${o!.position}, there is ${article(o!.size)} ${o!.size} ${o!.colour} ${o!.shape}`,
  ([o], _b, lead) => `${lead} ${phrase(o!)}`,
  ([o], _b, _l, coloured) =>
    `${article(o!.size)} ${o!.size} ${o!.shape} ${coloured} ${o!.colour} ${o!.position}`,
  ([o], background) => `${phrase(o!)} on ${article(background)} ${background} background`,
];

/** Templates for two-object scenes: "X and Y", "there is X and Y", "an image of X and Y", "X, and Y on a B background". */
export const SHAPES_PAIR_TEMPLATES: readonly Template[] = [
  ([a, b]) => `${phrase(a!)} and ${phrase(b!)}`,
  ([a, b]) => `there is ${phrase(a!)} and ${phrase(b!)}`,
  ([a, b], _b, lead) => `${lead} ${phrase(a!)} and ${phrase(b!)}`,
  ([a, b], background) =>
    `${phrase(a!)}, and ${phrase(b!)} on ${article(background)} ${background} background`,
];

/** "a" or "an" before `word`. */
export function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function wordsFor(rng: SeededRandom, object: ShapesObject): ObjectWords {
  return {
    size: pick(rng, SHAPES_SYNONYMS.size[object.size]),
    colour: pick(rng, SHAPES_SYNONYMS.colour[object.colour]),
    shape: pick(rng, SHAPES_SYNONYMS.shape[object.shape]),
    position: pick(rng, SHAPES_SYNONYMS.position[object.position]),
  };
}

/** The attributes whose words {@link describeShapesSceneWithSwaps} exchanges between two objects. */
export const SHAPES_SWAPPABLE_ATTRIBUTES = ['colour', 'shape', 'size', 'position'] as const;
export type ShapesSwappableAttribute = (typeof SHAPES_SWAPPABLE_ATTRIBUTES)[number];

/** A caption and its attribute-swapped variants (see {@link describeShapesSceneWithSwaps}). */
export interface ShapesCaptionWithSwaps {
  caption: string;
  /**
   * Per attribute the scene's two objects differ in: the same caption (template and synonyms) with that
   * attribute's words exchanged between the objects. It names the same words as `caption` yet describes
   * another scene, so only a model that binds attributes to objects can tell them apart. Empty for
   * one-object scenes.
   */
  swapped: Partial<Record<ShapesSwappableAttribute, string>>;
}

/**
 * One caption of a scene, as {@link describeShapesScene} (the same random draws, so the same caption),
 * with its attribute-swapped variants: hard negatives for teaching a CLIP binding (NegCLIP).
 *
 * @example
 * ```ts
 * describeShapesSceneWithSwaps(scene, new SeededRandom(1));
 * // { caption: 'a big red disc at the top and a small blue square on the left',
 * //   swapped: { colour: 'a big blue disc at the top and a small red square on the left', shape: ..., ... } }
 * ```
 */
export function describeShapesSceneWithSwaps(scene: ShapesScene, rng: SeededRandom): ShapesCaptionWithSwaps {
  const objects =
    scene.objects.length === 2 && rng.uniform() < 0.5 ? [...scene.objects].reverse() : scene.objects;
  const templates = objects.length === 1 ? SHAPES_SINGLE_TEMPLATES : SHAPES_PAIR_TEMPLATES;
  const template = pick(rng, templates);
  const words = objects.map((object) => wordsFor(rng, object));
  const background = pick(rng, SHAPES_SYNONYMS.background[scene.background]);
  const lead = pick(rng, LEADS);
  const coloured = pick(rng, COLOURED);
  const swapped: ShapesCaptionWithSwaps['swapped'] = {};
  const [first, second] = objects;
  if (first && second) {
    for (const attribute of SHAPES_SWAPPABLE_ATTRIBUTES) {
      if (first[attribute] === second[attribute]) continue;
      const [a, b] = words as [ObjectWords, ObjectWords];
      const exchanged = [
        { ...a, [attribute]: b[attribute] },
        { ...b, [attribute]: a[attribute] },
      ];
      swapped[attribute] = template(exchanged, background, lead, coloured);
    }
  }
  return { caption: template(words, background, lead, coloured), swapped };
}

/**
 * One caption of a scene: a random template with random synonyms. Objects are described in a random
 * order in two-object scenes.
 */
export function describeShapesScene(scene: ShapesScene, rng: SeededRandom): string {
  return describeShapesSceneWithSwaps(scene, rng).caption;
}

/** Attributes read back from a caption; fields the caption does not mention are absent. */
export interface ShapesCaptionObject {
  shape: ShapesKind;
  colour?: ShapesColour;
  size?: ShapesSize;
  position?: ShapesPosition;
}

/** What {@link parseShapesCaption} recognised. */
export interface ShapesCaptionParse {
  objects: ShapesCaptionObject[];
  background?: ShapesBackground;
}

type Field = 'shape' | 'colour' | 'size' | 'position' | 'background' | 'separator';
interface LexiconEntry {
  words: string[];
  field: Field;
  value: string;
}

function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

/** Position phrases without their preposition, so "top left" and "upper-left" match as well. */
const POSITION_CORES: Record<ShapesPosition, readonly string[]> = {
  'top-left': ['top left', 'upper left', 'top left corner', 'upper left corner'],
  top: ['top', 'top edge'],
  'top-right': ['top right', 'upper right', 'top right corner', 'upper right corner'],
  left: ['left', 'left side'],
  centre: ['centre', 'center', 'middle'],
  right: ['right', 'right side'],
  'bottom-left': ['bottom left', 'lower left', 'bottom left corner', 'lower left corner'],
  bottom: ['bottom', 'bottom edge'],
  'bottom-right': ['bottom right', 'lower right', 'bottom right corner', 'lower right corner'],
};

const LEXICON: LexiconEntry[] = (() => {
  const entries: LexiconEntry[] = [];
  const add = (field: Field, table: Record<string, readonly string[]>, suffix = '') => {
    for (const [value, phrases] of Object.entries(table)) {
      for (const text of phrases) entries.push({ words: tokenize(text + suffix), field, value });
    }
  };
  add('shape', SHAPES_SYNONYMS.shape);
  add('shape', { cross: ['plus'] });
  add('colour', SHAPES_SYNONYMS.colour);
  add('size', SHAPES_SYNONYMS.size);
  add('position', POSITION_CORES);
  add('background', SHAPES_SYNONYMS.background, ' background');
  add('separator', { and: ['and', 'with'] });
  // Longest phrase first, so "top left corner" wins over "top left" and "top".
  return entries.sort((a, b) => b.words.length - a.words.length);
})();

/**
 * Reads the attributes back from a caption in the Shapes vocabulary (any template, any synonym; also
 * free phrasing such as "big violet rhombus, upper-left"). Size and colour words before a shape word
 * belong to it; a position after a shape belongs to that shape, and one before the first shape to the
 * first shape; "and"/"with" end an object's description.
 */
export function parseShapesCaption(caption: string): ShapesCaptionParse {
  const tokens = tokenize(caption);
  const result: ShapesCaptionParse = { objects: [] };
  let pending: Partial<ShapesCaptionObject> = {};
  let current: ShapesCaptionObject | undefined;
  for (let i = 0; i < tokens.length; ) {
    const entry = LEXICON.find((candidate) => candidate.words.every((word, k) => tokens[i + k] === word));
    if (!entry) {
      i++;
      continue;
    }
    i += entry.words.length;
    if (entry.field === 'separator') {
      current = undefined;
    } else if (entry.field === 'background') {
      result.background = entry.value as ShapesBackground;
    } else if (entry.field === 'shape') {
      current = { ...pending, shape: entry.value as ShapesKind };
      result.objects.push(current);
      pending = {};
    } else if (current && current[entry.field] === undefined) {
      (current as unknown as Record<string, string>)[entry.field] = entry.value;
    } else {
      (pending as Record<string, string>)[entry.field] = entry.value;
    }
  }
  return result;
}
