import {
  SHAPES_KINDS,
  SHAPES_OUTLINES,
  SHAPES_SIZE_NAMES,
  SHAPES_SIZES,
  type ShapesKind,
  type ShapesSize,
  shapesObjectCoverage,
} from '@ratlip/datasets';

/** A template placed on an image and how well it explains an object's coverage. */
export interface ShapeTemplateFit {
  shape: ShapesKind;
  size: ShapesSize;
  /** The template's centre `[x, y]` as fractions of the image side (the Shapes convention). */
  centre: [number, number];
  /**
   * Sum of squared coverage differences between object and template, divided by the template's own
   * sum of squares: 0 for an exact rendering, about 1 when nothing matches.
   */
  error: number;
}

/** Area centroid of an outline in units of its half-extent (the triangle's lies below its centre). */
function outlineCentroid(shape: ShapesKind): [number, number] {
  const polygon = SHAPES_OUTLINES[shape].polygon;
  if (polygon === 'circle') return [0, 0];
  let twiceArea = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x0, y0] = polygon[i]!;
    const [x1, y1] = polygon[(i + 1) % polygon.length]!;
    const cross = x0 * y1 - x1 * y0;
    twiceArea += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  return [cx / (3 * twiceArea), cy / (3 * twiceArea)];
}

const CENTROIDS: Readonly<Record<ShapesKind, [number, number]>> = Object.fromEntries(
  SHAPES_KINDS.map((shape) => [shape, outlineCentroid(shape)]),
) as Record<ShapesKind, [number, number]>;

/**
 * `sum(template^2) - 2 sum(coverage * template)`: the squared difference between coverage and
 * template up to a term that does not depend on the template.
 */
function templateScore(
  coverage: Float32Array,
  size: number,
  shape: ShapesKind,
  halfExtent: number,
  centre: [number, number],
): { score: number; energy: number } {
  const template = shapesObjectCoverage(
    { shape, colour: 'red', size: 'small', position: 'centre', centre, halfExtent },
    size,
  );
  const reach = SHAPES_OUTLINES[shape].boundingRadius * halfExtent * size + 1;
  const x0 = Math.max(0, Math.floor(centre[0] * size - reach));
  const x1 = Math.min(size - 1, Math.ceil(centre[0] * size + reach));
  const y0 = Math.max(0, Math.floor(centre[1] * size - reach));
  const y1 = Math.min(size - 1, Math.ceil(centre[1] * size + reach));
  let energy = 0;
  let cross = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const m = template[y * size + x]!;
      if (m === 0) continue;
      energy += m * m;
      cross += m * coverage[y * size + x]!;
    }
  }
  return { score: energy - 2 * cross, energy };
}

interface Candidate {
  shape: ShapesKind;
  size: ShapesSize;
  centre: [number, number];
  score: number;
  energy: number;
}

/**
 * Fits every Shapes outline at every size to an object's soft coverage and returns the best: each
 * template is centred so that its area centroid falls on the object's and scored by the squared
 * coverage difference. Exact renderings are recovered from 32 px up without searching the centre.
 * @param coverage `size * size` coverage of the object (0 elsewhere), row-major.
 * @param centroid the object's coverage centroid `[x, y]` in pixels.
 * @param ownEnergy sum of the object's squared coverage, for {@link ShapeTemplateFit.error}.
 */
export function fitShapeTemplate(
  coverage: Float32Array,
  size: number,
  centroid: readonly [number, number],
  ownEnergy: number,
): ShapeTemplateFit {
  let best: Candidate | undefined;
  for (const shape of SHAPES_KINDS) {
    for (const sizeName of SHAPES_SIZE_NAMES) {
      const halfExtent = SHAPES_SIZES[sizeName];
      const [ox, oy] = CENTROIDS[shape];
      const centre: [number, number] = [
        centroid[0] / size - ox * halfExtent,
        centroid[1] / size - oy * halfExtent,
      ];
      const { score, energy } = templateScore(coverage, size, shape, halfExtent, centre);
      if (!best || score < best.score) best = { shape, size: sizeName, centre, score, energy };
    }
  }
  if (!best) throw new Error('fitShapeTemplate: the Shapes vocabulary has no outlines');
  return {
    shape: best.shape,
    size: best.size,
    centre: best.centre,
    error: best.energy > 0 ? Math.max(0, ownEnergy + best.score) / best.energy : 1,
  };
}
