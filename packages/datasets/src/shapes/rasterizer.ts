import { SeededRandom } from '@ratlip/runtime';
import type { RgbImage } from '../types';
import {
  SHAPES_COLOURS,
  SHAPES_NOISE_AMPLITUDE,
  SHAPES_OUTLINES,
  type ShapesObject,
  type ShapesScene,
} from './vocabulary';

/** Smallest and largest side the rasteriser draws at. */
export const SHAPES_MIN_RENDER_SIZE = 8;
export const SHAPES_MAX_RENDER_SIZE = 2048;

function checkSize(imageSize: number): void {
  if (
    !Number.isInteger(imageSize) ||
    imageSize < SHAPES_MIN_RENDER_SIZE ||
    imageSize > SHAPES_MAX_RENDER_SIZE
  ) {
    throw new RangeError(
      `Shapes: imageSize must be an integer in [${SHAPES_MIN_RENDER_SIZE}, ${SHAPES_MAX_RENDER_SIZE}], got ${imageSize}`,
    );
  }
}

/**
 * Signed distance in pixels from `(x, y)` to a closed polygon's outline: negative inside, positive
 * outside (even-odd rule, exact for simple polygons).
 */
function polygonSignedDistance(xs: Float64Array, ys: Float64Array, x: number, y: number): number {
  const count = xs.length;
  let best = Number.POSITIVE_INFINITY;
  let inside = false;
  for (let i = 0, j = count - 1; i < count; j = i++) {
    const xi = xs[i]!;
    const yi = ys[i]!;
    const edgeX = xs[j]! - xi;
    const edgeY = ys[j]! - yi;
    const toX = x - xi;
    const toY = y - yi;
    const t = Math.min(1, Math.max(0, (toX * edgeX + toY * edgeY) / (edgeX * edgeX + edgeY * edgeY)));
    const dx = toX - edgeX * t;
    const dy = toY - edgeY * t;
    best = Math.min(best, dx * dx + dy * dy);
    const crossesUp = y >= yi;
    const crossesDown = y < ys[j]!;
    const leftOf = edgeX * toY > edgeY * toX;
    if ((crossesUp && crossesDown && leftOf) || (!crossesUp && !crossesDown && !leftOf)) inside = !inside;
  }
  const distance = Math.sqrt(best);
  return inside ? -distance : distance;
}

/**
 * Anti-aliased coverage of one object: for every pixel, the fraction of it inside the outline,
 * estimated from the signed distance of the pixel centre (`clamp(0.5 - distance, 0, 1)`).
 *
 * @param imageSize image side in pixels.
 * @returns `[imageSize, imageSize]` row-major coverage in [0, 1].
 */
export function shapesObjectCoverage(object: ShapesObject, imageSize: number): Float32Array {
  checkSize(imageSize);
  const coverage = new Float32Array(imageSize * imageSize);
  forEachCoveredPixel(object, imageSize, (pixel, value) => {
    coverage[pixel] = value;
  });
  return coverage;
}

function forEachCoveredPixel(
  object: ShapesObject,
  imageSize: number,
  visit: (pixel: number, coverage: number) => void,
): void {
  const outline = SHAPES_OUTLINES[object.shape];
  const scale = object.halfExtent * imageSize;
  const centreX = object.centre[0] * imageSize;
  const centreY = object.centre[1] * imageSize;
  const reach = outline.boundingRadius * scale + 1;
  const x0 = Math.max(0, Math.floor(centreX - reach));
  const x1 = Math.min(imageSize - 1, Math.ceil(centreX + reach));
  const y0 = Math.max(0, Math.floor(centreY - reach));
  const y1 = Math.min(imageSize - 1, Math.ceil(centreY + reach));
  let distance: (x: number, y: number) => number;
  if (outline.polygon === 'circle') {
    distance = (x, y) => Math.hypot(x - centreX, y - centreY) - scale;
  } else {
    const xs = Float64Array.from(outline.polygon, ([vx]) => centreX + vx * scale);
    const ys = Float64Array.from(outline.polygon, ([, vy]) => centreY + vy * scale);
    distance = (x, y) => polygonSignedDistance(xs, ys, x, y);
  }
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const value = Math.min(1, Math.max(0, 0.5 - distance(x + 0.5, y + 0.5)));
      if (value > 0) visit(y * imageSize + x, value);
    }
  }
}

/**
 * Draws a scene: the grey (optionally noisy) background, then each object in flat colour with
 * anti-aliased edges. Pure TypeScript, so the bytes are identical in every JavaScript engine.
 *
 * @param imageSize image side in pixels (8-2048; the dataset uses 32-256).
 * @returns `[imageSize, imageSize, 3]` RGB bytes.
 */
export function renderShapesScene(scene: ShapesScene, imageSize: number): RgbImage {
  checkSize(imageSize);
  const pixels = imageSize * imageSize;
  const data = new Uint8Array(pixels * 3);
  if (scene.background === 'noisy') {
    const rng = new SeededRandom(scene.noiseSeed);
    const span = 2 * SHAPES_NOISE_AMPLITUDE + 1;
    for (let pixel = 0; pixel < pixels; pixel++) {
      // One generator word per pixel; the modulo bias (< 2e-8) is irrelevant for noise.
      const level = Math.min(
        255,
        Math.max(0, scene.backgroundLevel + (rng.nextUint32() % span) - SHAPES_NOISE_AMPLITUDE),
      );
      data[pixel * 3] = level;
      data[pixel * 3 + 1] = level;
      data[pixel * 3 + 2] = level;
    }
  } else {
    data.fill(scene.backgroundLevel);
  }
  for (const object of scene.objects) {
    const colour = SHAPES_COLOURS[object.colour];
    forEachCoveredPixel(object, imageSize, (pixel, coverage) => {
      for (let channel = 0; channel < 3; channel++) {
        const under = data[pixel * 3 + channel]!;
        data[pixel * 3 + channel] = Math.round(under + (colour[channel]! - under) * coverage);
      }
    });
  }
  return { width: imageSize, height: imageSize, data };
}
