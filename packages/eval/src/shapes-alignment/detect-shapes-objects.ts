import {
  SHAPES_COLOUR_NAMES,
  SHAPES_KINDS,
  SHAPES_OUTLINES,
  SHAPES_POSITION_NAMES,
  SHAPES_POSITIONS,
  SHAPES_SIZES,
  type ShapesColour,
  type ShapesKind,
  type ShapesPosition,
  type ShapesSize,
} from '@ratlip/datasets';
import { analysisPixels, type ShapesAnalysisImage } from './analysis-image';
import {
  type ColourSegmentationOptions,
  DEFAULT_MAX_COLOUR_DISTANCE,
  segmentShapesColours,
} from './colour-segmentation';
import { labelComponents, type PixelComponent } from './connected-components';
import { fitShapeTemplate } from './shape-templates';

/** An object found in an image, described in the Shapes vocabulary. */
export interface DetectedShapesObject {
  colour: ShapesColour;
  shape: ShapesKind;
  size: ShapesSize;
  /** The nominal position nearest to {@link centre}. */
  position: ShapesPosition;
  /** Centre `[x, y]` of the best-fitting outline, as fractions of the image side. */
  centre: [number, number];
  /** Pixels of the object's colour, as a fraction of the image. */
  area: number;
  /** Misfit of the best outline (0 exact, about 1 nothing alike); see `ShapeTemplateFit.error`. */
  fitError: number;
}

/** Options of {@link detectShapesObjects}. */
export interface ShapesDetectionOptions extends ColourSegmentationOptions {
  /**
   * Smallest object kept, as a fraction of the area of the smallest Shapes object (a small star).
   * Default 0.35: anti-aliased fragments and speckles stay below it, every real object is above.
   */
  minObjectArea?: number;
  /** Most objects reported (the largest). Default 6. */
  maxObjects?: number;
}

/** The defaults of {@link ShapesDetectionOptions}. */
export const SHAPES_DETECTION_DEFAULTS: Readonly<Required<ShapesDetectionOptions>> = {
  maxColourDistance: DEFAULT_MAX_COLOUR_DISTANCE,
  minObjectArea: 0.35,
  maxObjects: 6,
};

/** Everything the detector found in one image. */
export interface ShapesDetection {
  /** Estimated background colour, byte units. */
  background: [number, number, number];
  /** Objects, largest first. */
  objects: DetectedShapesObject[];
}

/** Area (in image-side units squared) of an outline at a half-extent. */
function outlineArea(shape: ShapesKind, halfExtent: number): number {
  const polygon = SHAPES_OUTLINES[shape].polygon;
  if (polygon === 'circle') return Math.PI * halfExtent * halfExtent;
  let twice = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x0, y0] = polygon[i]!;
    const [x1, y1] = polygon[(i + 1) % polygon.length]!;
    twice += x0 * y1 - x1 * y0;
  }
  return (Math.abs(twice) / 2) * halfExtent * halfExtent;
}

/** Area of the smallest object Shapes draws, as a fraction of the image. */
const SMALLEST_OBJECT_AREA = Math.min(
  ...SHAPES_KINDS.map((shape) => outlineArea(shape, Math.min(...Object.values(SHAPES_SIZES)))),
);

function nearestPosition(centre: readonly [number, number]): ShapesPosition {
  let best: ShapesPosition = SHAPES_POSITION_NAMES[0]!;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of SHAPES_POSITION_NAMES) {
    const [x, y] = SHAPES_POSITIONS[name];
    const distance = Math.hypot(centre[0] - x, centre[1] - y);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The object's coverage: its colour's soft coverage on its own pixels and on unclaimed pixels
 * (where its anti-aliased edge lies), 0 on every other component. Also the coverage centroid over
 * the component grown by one pixel, and the object's squared coverage there.
 */
function objectCoverage(
  colourCoverage: Float32Array,
  labels: Int32Array,
  component: PixelComponent,
  size: number,
): { coverage: Float32Array; centroid: [number, number]; energy: number } {
  const coverage = new Float32Array(colourCoverage.length);
  for (let p = 0; p < coverage.length; p++) {
    const label = labels[p]!;
    if (label === component.label || label === -1) coverage[p] = colourCoverage[p]!;
  }
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  let energy = 0;
  for (let y = Math.max(0, component.minY - 1); y <= Math.min(size - 1, component.maxY + 1); y++) {
    for (let x = Math.max(0, component.minX - 1); x <= Math.min(size - 1, component.maxX + 1); x++) {
      if (!touches(labels, size, x, y, component.label)) continue;
      const value = Math.min(1, Math.max(0, coverage[y * size + x]!));
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
      energy += value * value;
    }
  }
  return { coverage, centroid: [sumX / mass, sumY / mass], energy };
}

/** True when pixel (x, y) or one of its 8 neighbours carries `label`. */
function touches(labels: Int32Array, size: number, x: number, y: number, label: number): boolean {
  for (let ny = Math.max(0, y - 1); ny <= Math.min(size - 1, y + 1); ny++) {
    for (let nx = Math.max(0, x - 1); nx <= Math.min(size - 1, x + 1); nx++) {
      if (labels[ny * size + nx] === label) return true;
    }
  }
  return false;
}

/**
 * Finds the objects of a Shapes image analytically (no learned model): pixels are classified
 * against the palette (see `segmentShapesColours`), each 8-connected region of one colour large
 * enough to be an object is an object, and its shape, size and centre are those of the Shapes
 * outline (7 shapes x 3 sizes, drawn by the dataset's own rasteriser) whose anti-aliased coverage
 * best matches the region's; the position is the nominal position nearest to the centre.
 */
export function detectShapesObjects(
  image: ShapesAnalysisImage,
  options: ShapesDetectionOptions = {},
): ShapesDetection {
  const minObjectArea = options.minObjectArea ?? SHAPES_DETECTION_DEFAULTS.minObjectArea;
  const maxObjects = options.maxObjects ?? SHAPES_DETECTION_DEFAULTS.maxObjects;
  if (!(minObjectArea > 0)) {
    throw new Error(`detectShapesObjects: minObjectArea must be positive, got ${minObjectArea}`);
  }
  if (!Number.isInteger(maxObjects) || maxObjects < 1) {
    throw new Error(`detectShapesObjects: maxObjects must be a positive integer, got ${maxObjects}`);
  }
  const pixels = analysisPixels(image, 'detectShapesObjects: image');
  const size = image.width;
  const segmentation = segmentShapesColours(pixels, size, options);
  const { labels, components } = labelComponents(segmentation.classes, size);
  const minPixels = minObjectArea * SMALLEST_OBJECT_AREA * size * size;
  const kept = components
    .filter((component) => component.area >= minPixels)
    .sort((a, b) => b.area - a.area || a.label - b.label)
    .slice(0, maxObjects);
  const objects = kept.map((component): DetectedShapesObject => {
    const { coverage, centroid, energy } = objectCoverage(
      segmentation.coverage(component.classIndex),
      labels,
      component,
      size,
    );
    const fit = fitShapeTemplate(coverage, size, centroid, energy);
    return {
      colour: SHAPES_COLOUR_NAMES[component.classIndex]!,
      shape: fit.shape,
      size: fit.size,
      position: nearestPosition(fit.centre),
      centre: fit.centre,
      area: component.area / (size * size),
      fitError: fit.error,
    };
  });
  return { background: segmentation.background, objects };
}
