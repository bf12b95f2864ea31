/**
 * The attribute vocabulary of the Shapes dataset and the geometry that turns attributes into pixels.
 * These constants are public so an evaluator can check a generated image analytically: the object
 * of a caption should be drawn in `SHAPES_COLOURS[colour]` around `SHAPES_POSITIONS[position]` with a
 * half-extent of `SHAPES_SIZES[size]` of the image side.
 */

/** Shape kinds. Every outline contains its centre, so the centre pixel shows the object's colour. */
export const SHAPES_KINDS = ['circle', 'square', 'triangle', 'diamond', 'star', 'hexagon', 'cross'] as const;
export type ShapesKind = (typeof SHAPES_KINDS)[number];

/** Object colours: name -> sRGB bytes. Objects are painted flat in exactly this colour. */
export const SHAPES_COLOURS = {
  red: [220, 30, 30],
  green: [30, 160, 50],
  blue: [30, 70, 220],
  yellow: [245, 215, 30],
  orange: [245, 135, 20],
  purple: [130, 50, 180],
  pink: [250, 120, 190],
  cyan: [30, 200, 220],
  brown: [125, 75, 30],
  white: [250, 250, 250],
  black: [15, 15, 15],
} as const satisfies Record<string, readonly [number, number, number]>;
export type ShapesColour = keyof typeof SHAPES_COLOURS;
export const SHAPES_COLOUR_NAMES = Object.keys(SHAPES_COLOURS) as ShapesColour[];

/**
 * Sizes: name -> half-extent as a fraction of the image side (the circle's radius; the other outlines
 * are scaled into the same box, see {@link SHAPES_OUTLINES}).
 */
export const SHAPES_SIZES = { small: 0.08, medium: 0.12, large: 0.17 } as const;
export type ShapesSize = keyof typeof SHAPES_SIZES;
export const SHAPES_SIZE_NAMES = Object.keys(SHAPES_SIZES) as ShapesSize[];

/** Positions: name -> nominal centre `[x, y]` as fractions of the image side (x right, y down). */
export const SHAPES_POSITIONS = {
  'top-left': [0.25, 0.25],
  top: [0.5, 0.25],
  'top-right': [0.75, 0.25],
  left: [0.25, 0.5],
  centre: [0.5, 0.5],
  right: [0.75, 0.5],
  'bottom-left': [0.25, 0.75],
  bottom: [0.5, 0.75],
  'bottom-right': [0.75, 0.75],
} as const satisfies Record<string, readonly [number, number]>;
export type ShapesPosition = keyof typeof SHAPES_POSITIONS;
export const SHAPES_POSITION_NAMES = Object.keys(SHAPES_POSITIONS) as ShapesPosition[];

/** Backgrounds: a flat grey, or the same grey with per-pixel luminance noise. */
export const SHAPES_BACKGROUNDS = ['plain', 'noisy'] as const;
export type ShapesBackground = (typeof SHAPES_BACKGROUNDS)[number];

/** Background grey levels are drawn uniformly from this inclusive range (contrasts with white and black). */
export const SHAPES_BACKGROUND_LEVELS: readonly [number, number] = [95, 160];
/** Noisy backgrounds add uniform noise in `[-amplitude, +amplitude]` to each pixel's grey level. */
export const SHAPES_NOISE_AMPLITUDE = 30;
/** Default largest random offset of an object's centre from its nominal position, as a fraction of the side. */
export const SHAPES_DEFAULT_JITTER = 0.015;

/**
 * Outlines in units of the half-extent, centred on the object's centre (x right, y down): polygons as
 * vertex lists, the circle as `'circle'`. `boundingRadius` is the farthest outline point from the centre.
 */
export const SHAPES_OUTLINES: Readonly<
  Record<ShapesKind, { polygon: readonly (readonly [number, number])[] | 'circle'; boundingRadius: number }>
> = {
  circle: { polygon: 'circle', boundingRadius: 1 },
  square: {
    polygon: [
      [-0.88, -0.88],
      [0.88, -0.88],
      [0.88, 0.88],
      [-0.88, 0.88],
    ],
    boundingRadius: 0.88 * Math.SQRT2,
  },
  triangle: {
    polygon: [
      [0, -1.05],
      [1.05, 0.8],
      [-1.05, 0.8],
    ],
    boundingRadius: Math.hypot(1.05, 0.8),
  },
  diamond: {
    polygon: [
      [0, -1.1],
      [1.1, 0],
      [0, 1.1],
      [-1.1, 0],
    ],
    boundingRadius: 1.1,
  },
  star: { polygon: regularStar(5, 1.15, 0.5), boundingRadius: 1.15 },
  hexagon: { polygon: regularPolygon(6, 1.02), boundingRadius: 1.02 },
  cross: {
    polygon: [
      [-0.33, -1],
      [0.33, -1],
      [0.33, -0.33],
      [1, -0.33],
      [1, 0.33],
      [0.33, 0.33],
      [0.33, 1],
      [-0.33, 1],
      [-0.33, 0.33],
      [-1, 0.33],
      [-1, -0.33],
      [-0.33, -0.33],
    ],
    boundingRadius: Math.hypot(1, 0.33),
  },
};

function regularPolygon(sides: number, radius: number): [number, number][] {
  return Array.from({ length: sides }, (_, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / sides;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
}

function regularStar(points: number, outer: number, inner: number): [number, number][] {
  return Array.from({ length: 2 * points }, (_, i) => {
    const angle = -Math.PI / 2 + (Math.PI * i) / points;
    const radius = i % 2 === 0 ? outer : inner;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
}

/** One object of a Shapes scene: its attributes and exact placement. */
export interface ShapesObject {
  shape: ShapesKind;
  colour: ShapesColour;
  size: ShapesSize;
  position: ShapesPosition;
  /** Actual centre `[x, y]` as fractions of the image side (nominal position plus jitter). */
  centre: [number, number];
  /** Half-extent as a fraction of the image side (= `SHAPES_SIZES[size]`). */
  halfExtent: number;
}

/** The true content of one Shapes image. */
export interface ShapesScene {
  objects: ShapesObject[];
  background: ShapesBackground;
  /** Background grey level, 0-255. */
  backgroundLevel: number;
  /** Seed of the background noise (unused for `plain`). */
  noiseSeed: number;
}

/**
 * An attribute combination: an object matches when every given field equals its attribute. The
 * default held-out set pairs each shape with one colour.
 */
export interface ShapesCombination {
  shape?: ShapesKind;
  colour?: ShapesColour;
  size?: ShapesSize;
  position?: ShapesPosition;
}

/**
 * Combinations held out of the `train` and `test` splits and present in every `heldout` sample: each
 * shape with one colour, each colour used at most once, so every shape and every colour is still seen in
 * training, just never together.
 */
export const SHAPES_HELD_OUT: readonly ShapesCombination[] = [
  { shape: 'circle', colour: 'yellow' },
  { shape: 'square', colour: 'purple' },
  { shape: 'triangle', colour: 'blue' },
  { shape: 'diamond', colour: 'orange' },
  { shape: 'star', colour: 'red' },
  { shape: 'hexagon', colour: 'pink' },
  { shape: 'cross', colour: 'green' },
];

/** True when `object` has every attribute `combination` names. */
export function matchesCombination(
  object: Omit<ShapesObject, 'centre' | 'halfExtent'>,
  combination: ShapesCombination,
): boolean {
  return (
    (combination.shape === undefined || combination.shape === object.shape) &&
    (combination.colour === undefined || combination.colour === object.colour) &&
    (combination.size === undefined || combination.size === object.size) &&
    (combination.position === undefined || combination.position === object.position)
  );
}
