/** Sizes and flags of one resize, images `[batch, inHeight, inWidth, channels]` to `[batch, outHeight, outWidth, channels]`. */
export interface ResizeGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  channels: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Source/output scale along one axis, as the tfjs cpu and wasm forward resizes compute it. */
function sizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** The source index of each output index of a nearest-neighbour resize (tfjs's forward rule). */
function nearestSources(inSize: number, outSize: number, geometry: ResizeGeometry): Int32Array {
  const ratio = sizeRatio(inSize, outSize, geometry.alignCorners);
  return Int32Array.from({ length: outSize }, (_, index) => {
    const fraction = geometry.halfPixelCenters ? ratio * (index + 0.5) : ratio * index;
    const nearest = Math.min(inSize - 1, geometry.alignCorners ? Math.round(fraction) : Math.floor(fraction));
    return geometry.halfPixelCenters ? Math.max(0, nearest) : nearest;
  });
}

/**
 * The exact adjoint of tfjs's nearest-neighbour resize: each output gradient is added to the input
 * pixel the forward pass copied it from. Returns `[batch, inHeight, inWidth, channels]`.
 */
export function nearestNeighborAdjoint(dy: ArrayLike<number>, geometry: ResizeGeometry): Float32Array {
  const { batch, inHeight, inWidth, outHeight, outWidth, channels } = geometry;
  const rows = nearestSources(inHeight, outHeight, geometry);
  const cols = nearestSources(inWidth, outWidth, geometry);
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  let from = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowStart = (b * inHeight + rows[r]!) * inWidth;
      for (let c = 0; c < outWidth; c++) {
        const to = (rowStart + cols[c]!) * channels;
        for (let d = 0; d < channels; d++) dx[to + d]! += dy[from++]!;
      }
    }
  }
  return dx;
}

/** The two source indices and the weight of the second, per output index (tfjs's bilinear rule). */
function bilinearTaps(inSize: number, outSize: number, geometry: ResizeGeometry) {
  const ratio = sizeRatio(inSize, outSize, geometry.alignCorners);
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const weight = new Float32Array(outSize);
  for (let index = 0; index < outSize; index++) {
    const fraction = geometry.halfPixelCenters ? ratio * (index + 0.5) - 0.5 : ratio * index;
    low[index] = Math.max(0, Math.floor(fraction));
    high[index] = Math.min(inSize - 1, Math.ceil(fraction));
    weight[index] = fraction - low[index]!;
  }
  return { low, high, weight };
}

/**
 * The exact adjoint of tfjs's bilinear resize, including half-pixel centres and non-square sizes
 * (which the stock gradient kernels get wrong). Returns `[batch, inHeight, inWidth, channels]`.
 */
export function bilinearAdjoint(dy: ArrayLike<number>, geometry: ResizeGeometry): Float32Array {
  const { batch, inHeight, inWidth, outHeight, outWidth, channels } = geometry;
  const rows = bilinearTaps(inHeight, outHeight, geometry);
  const cols = bilinearTaps(inWidth, outWidth, geometry);
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  const pixel = (b: number, row: number, col: number) => ((b * inHeight + row) * inWidth + col) * channels;
  let from = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowWeight = rows.weight[r]!;
      for (let c = 0; c < outWidth; c++) {
        const colWeight = cols.weight[c]!;
        const topLeft = pixel(b, rows.low[r]!, cols.low[c]!);
        const topRight = pixel(b, rows.low[r]!, cols.high[c]!);
        const bottomLeft = pixel(b, rows.high[r]!, cols.low[c]!);
        const bottomRight = pixel(b, rows.high[r]!, cols.high[c]!);
        const top = 1 - rowWeight;
        for (let d = 0; d < channels; d++) {
          const gradient = dy[from++]!;
          dx[topLeft + d]! += gradient * top * (1 - colWeight);
          dx[topRight + d]! += gradient * top * colWeight;
          dx[bottomLeft + d]! += gradient * rowWeight * (1 - colWeight);
          dx[bottomRight + d]! += gradient * rowWeight * colWeight;
        }
      }
    }
  }
  return dx;
}
