import {
  SHAPES_BACKGROUND_LEVELS,
  SHAPES_COLOUR_NAMES,
  SHAPES_COLOURS,
  SHAPES_NOISE_AMPLITUDE,
} from '@ratlip/datasets';

/** Default of {@link ColourSegmentationOptions.maxColourDistance}. */
export const DEFAULT_MAX_COLOUR_DISTANCE = 60;

/** Options of {@link segmentShapesColours}. */
export interface ColourSegmentationOptions {
  /**
   * Largest distance (byte units, 0-255 per channel) from a pixel to the line between the background
   * and a palette colour for the pixel to count as that colour, or as that colour's anti-aliased edge.
   * Default 60: an exact rendering is at 0 (plus the background noise), a colour halfway to its
   * nearest palette neighbour is about 40-70 away.
   */
  maxColourDistance?: number;
}

/** Per-pixel colour classes of a Shapes image, and the soft coverage of each palette colour. */
export interface ColourSegmentation {
  /** Image side in pixels. */
  size: number;
  /** Estimated background colour, byte units. */
  background: [number, number, number];
  /**
   * Per pixel (row-major): index into `SHAPES_COLOUR_NAMES` of the pixel's colour, or -1 for
   * background (less than halfway from the background to its nearest palette colour, or off-palette).
   */
  classes: Int8Array;
  /**
   * How much of each pixel colour `colourIndex` covers, read from where the pixel lies between the
   * background and that colour (`(p - b) . (c - b) / |c - b|^2`, kept in [-0.5, 1.5] and unclamped
   * in between, so background noise averages out): an exact rendering gives the rasteriser's
   * anti-aliased coverage back. 0 on pixels of another colour.
   */
  coverage(colourIndex: number): Float32Array;
}

/** Range of background grey levels once the noise is added. */
const BACKGROUND_RANGE: readonly [number, number] = [
  SHAPES_BACKGROUND_LEVELS[0] - SHAPES_NOISE_AMPLITUDE,
  SHAPES_BACKGROUND_LEVELS[1] + SHAPES_NOISE_AMPLITUDE,
];
/** A background pixel is grey: its channels differ by at most this many byte units. */
const GREY_CHROMA = 24;
/** Below this fraction of grey pixels in the background range, the background is not Shapes-like. */
const MIN_GREY_FRACTION = 0.2;

function median(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The background colour: the median grey level of the grey pixels in the Shapes background range
 * (objects cover at most about a fifth of an image, so the median ignores them), or, when too few
 * pixels look like a Shapes background (a poor generator), the per-channel median of all pixels.
 */
export function estimateBackground(pixels: Float32Array): [number, number, number] {
  const count = pixels.length / 3;
  const greys = new Float32Array(count);
  let found = 0;
  for (let p = 0; p < count; p++) {
    const r = pixels[p * 3]!;
    const g = pixels[p * 3 + 1]!;
    const b = pixels[p * 3 + 2]!;
    const level = (r + g + b) / 3;
    const chroma = Math.max(r, g, b) - Math.min(r, g, b);
    if (chroma <= GREY_CHROMA && level >= BACKGROUND_RANGE[0] && level <= BACKGROUND_RANGE[1]) {
      greys[found++] = level;
    }
  }
  if (found >= MIN_GREY_FRACTION * count) {
    const level = median(greys.subarray(0, found));
    return [level, level, level];
  }
  const channel = new Float32Array(count);
  const result: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < count; p++) channel[p] = pixels[p * 3 + c]!;
    result[c] = median(channel);
  }
  return result;
}

/** Direction and squared length from the background to each palette colour. */
function paletteDirections(background: readonly number[]): {
  direction: Float64Array;
  length2: Float64Array;
} {
  const colours = SHAPES_COLOUR_NAMES.length;
  const direction = new Float64Array(colours * 3);
  const length2 = new Float64Array(colours);
  SHAPES_COLOUR_NAMES.forEach((name, k) => {
    let sum = 0;
    for (let c = 0; c < 3; c++) {
      const d = SHAPES_COLOURS[name][c]! - background[c]!;
      direction[k * 3 + c] = d;
      sum += d * d;
    }
    // A palette colour equal to the background cannot be seen; a floor keeps the projection finite.
    length2[k] = Math.max(sum, 1);
  });
  return { direction, length2 };
}

/**
 * Classifies every pixel of a Shapes image against the palette. Each palette colour `c` defines the
 * segment from the background `b` to `c`, along which its anti-aliased edges lie; a pixel belongs to
 * the colour whose segment is nearest, provided it is at least halfway along that segment and within
 * `maxColourDistance` of it (so an edge pixel never becomes a third colour that happens to lie
 * beyond it).
 * @param pixels `size * size * 3` values on the byte scale.
 */
export function segmentShapesColours(
  pixels: Float32Array,
  size: number,
  options: ColourSegmentationOptions = {},
): ColourSegmentation {
  const maxDistance = options.maxColourDistance ?? DEFAULT_MAX_COLOUR_DISTANCE;
  if (!(maxDistance > 0)) {
    throw new Error(`segmentShapesColours: maxColourDistance must be positive, got ${maxDistance}`);
  }
  const background = estimateBackground(pixels);
  const { direction, length2 } = paletteDirections(background);
  const colours = SHAPES_COLOUR_NAMES.length;
  const count = size * size;
  const classes = new Int8Array(count).fill(-1);
  // Per pixel and colour: position along the segment and distance to it.
  const along = new Float32Array(count * colours);
  const distance = new Float32Array(count * colours);
  for (let p = 0; p < count; p++) {
    const dr = pixels[p * 3]! - background[0];
    const dg = pixels[p * 3 + 1]! - background[1];
    const db = pixels[p * 3 + 2]! - background[2];
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let k = 0; k < colours; k++) {
      const vr = direction[k * 3]!;
      const vg = direction[k * 3 + 1]!;
      const vb = direction[k * 3 + 2]!;
      const t = (dr * vr + dg * vg + db * vb) / length2[k]!;
      const s = Math.min(1, Math.max(0, t));
      const er = dr - s * vr;
      const eg = dg - s * vg;
      const eb = db - s * vb;
      const d = Math.sqrt(er * er + eg * eg + eb * eb);
      along[p * colours + k] = t;
      distance[p * colours + k] = d;
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    // The nearest segment decides: an edge pixel less than halfway to its own colour may still be
    // more than halfway to another colour's segment, off to the side of it.
    classes[p] = bestDistance <= maxDistance && along[p * colours + best]! >= 0.5 ? best : -1;
  }
  const cache = new Map<number, Float32Array>();
  return {
    size,
    background,
    classes,
    coverage(colourIndex) {
      let map = cache.get(colourIndex);
      if (!map) {
        map = new Float32Array(count);
        for (let p = 0; p < count; p++) {
          const own = classes[p] === colourIndex || classes[p] === -1;
          if (own && distance[p * colours + colourIndex]! <= maxDistance) {
            map[p] = Math.min(1.5, Math.max(-0.5, along[p * colours + colourIndex]!));
          }
        }
        cache.set(colourIndex, map);
      }
      return map;
    },
  };
}
