import { checkRgbImage, type RgbImage } from './rgb-image';

/** Fixed-point precision of PIL's 8-bit resampling (`PRECISION_BITS = 32 - 8 - 2`). */
const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;

/** PIL's bicubic kernel (Keys, a = -0.5) with support 2. */
function bicubic(distance: number): number {
  const a = -0.5;
  const x = Math.abs(distance);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}
const BICUBIC_SUPPORT = 2;

/** Per output index: first input index, tap count and fixed-point weights (PIL `precompute_coeffs`). */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  /** `outSize * size` integer weights. */
  weights: Int32Array;
  size: number;
}

function precomputeTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * size);
  const exact = new Float64Array(size);
  // PIL multiplies by the reciprocal; dividing instead can change the last bit of a weight.
  const inverseScale = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C casts truncate toward zero; PIL rounds the bounds by adding 0.5 before the cast.
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const last = Math.min(Math.trunc(center + support + 0.5), inSize);
    const taps = last - first;
    let total = 0;
    for (let k = 0; k < taps; k++) {
      exact[k] = bicubic((k + first - center + 0.5) * inverseScale);
      total += exact[k]!;
    }
    for (let k = 0; k < taps; k++) {
      const w = total !== 0 ? exact[k]! / total : exact[k]!;
      weights[out * size + k] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[out] = first;
    count[out] = taps;
  }
  return { start, count, weights, size };
}

/** PIL `clip8`: fixed-point sum to a byte. */
function clip8(sum: number): number {
  if (sum >= ONE * 256) return 255;
  if (sum <= 0) return 0;
  return Math.floor(sum / ONE);
}

/**
 * Resamples along one axis. `stride` is the distance between neighbours along the resized axis,
 * `lines` the positions where each line starts; every line holds `inSize` pixels of 3 channels.
 */
function resampleAxis(
  source: Uint8Array,
  target: Uint8Array,
  taps: Taps,
  lines: number,
  sourceLine: (line: number) => number,
  sourceStride: number,
  targetLine: (line: number) => number,
  targetStride: number,
): void {
  const outSize = taps.start.length;
  for (let line = 0; line < lines; line++) {
    const from = sourceLine(line);
    const to = targetLine(line);
    for (let out = 0; out < outSize; out++) {
      const base = out * taps.size;
      const first = taps.start[out]!;
      const count = taps.count[out]!;
      for (let c = 0; c < 3; c++) {
        let sum = ONE / 2;
        for (let k = 0; k < count; k++) {
          sum += source[from + (first + k) * sourceStride + c]! * taps.weights[base + k]!;
        }
        target[to + out * targetStride + c] = clip8(sum);
      }
    }
  }
}

/**
 * Resizes an 8-bit RGB image exactly as Pillow's `Image.resize(size, Image.BICUBIC)` does: separable
 * Keys bicubic (a = -0.5) whose support widens by the downscale factor (antialiasing), weights
 * normalised then rounded to 22-bit fixed point, horizontal pass first with the intermediate rounded
 * and clipped to bytes, then the vertical pass. A pass whose size does not change is skipped, as in PIL.
 * @param width output width in pixels.
 * @param height output height in pixels.
 */
export function resizeBicubicPil(image: RgbImage, width: number, height: number): RgbImage {
  checkRgbImage(image, 'resizeBicubicPil: image');
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new Error(`resizeBicubicPil: output size must be positive integers, got ${width} x ${height}`);
  }
  let current = image;
  if (width !== current.width) {
    const data = new Uint8Array(current.height * width * 3);
    const rowIn = current.width * 3;
    resampleAxis(
      current.data,
      data,
      precomputeTaps(current.width, width),
      current.height,
      (row) => row * rowIn,
      3,
      (row) => row * width * 3,
      3,
    );
    current = { width, height: current.height, data };
  }
  if (height !== current.height) {
    const data = new Uint8Array(height * width * 3);
    const row = width * 3;
    resampleAxis(
      current.data,
      data,
      precomputeTaps(current.height, height),
      width,
      (column) => column * 3,
      row,
      (column) => column * 3,
      row,
    );
    current = { width, height, data };
  }
  return current === image ? { width, height, data: image.data.slice() } : current;
}
