/**
 * Reorders row-major values of a tensor of `shape` by the axis permutation `permutation` (as
 * `tf.transpose`), in plain JavaScript: much faster than a tensor transpose on the cpu backend for
 * one-off weight conversions.
 * @returns new values of shape `permutation.map((axis) => shape[axis])`.
 */
export function permuteValues(
  values: Float32Array,
  shape: readonly number[],
  permutation: readonly number[],
): Float32Array {
  const rank = shape.length;
  if (permutation.length !== rank || [...permutation].sort().some((axis, i) => axis !== i)) {
    throw new Error(`permuteValues: [${permutation.join(', ')}] is not a permutation of ${rank} axes`);
  }
  if (rank === 2 && permutation[0] === 1) return transposeMatrix(values, shape[0]!, shape[1]!);
  const out = new Float32Array(values.length);
  if (values.length === 0) return out;
  const inputStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    inputStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  const outShape = permutation.map((axis) => shape[axis]!);
  const strides = permutation.map((axis) => inputStrides[axis]!);
  const innerSize = outShape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let position = 0; position < out.length; position += innerSize) {
    for (let k = 0; k < innerSize; k++) out[position + k] = values[offset + k * innerStride]!;
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]!++;
      offset += strides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      offset -= strides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

/** Cache-blocked 2-D transpose of a `[rows, columns]` matrix. */
function transposeMatrix(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  const block = 32;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(r0 + block, rows);
    for (let c0 = 0; c0 < columns; c0 += block) {
      const c1 = Math.min(c0 + block, columns);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) out[c * rows + r] = values[r * columns + c]!;
      }
    }
  }
  return out;
}
