import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Copies the box `begin .. begin + size` of `x` into a new wasm tensor of shape `outShape` (the box's
 * shape, or any shape of the same size, so unstacking needs no extra reshape). It reads through a view
 * of the wasm heap; the stock wasm Slice first copies the whole input to the JS heap (readSync), which
 * made every piece of a split cost as much as the whole tensor. Runs are as long as the trailing axes
 * the box spans fully allow, each copied with one `TypedArray.set`.
 * @param begin normalised start per axis (no negatives, no -1 sizes).
 */
export function copyHeapSlice(
  backend: BackendWasm,
  x: tf.TensorInfo,
  begin: readonly number[],
  size: readonly number[],
  outShape: readonly number[] = size,
): tf.TensorInfo {
  // makeOutput may grow the heap, which detaches earlier views: take views only after it.
  const out = backend.makeOutput([...outShape], x.dtype);
  const total = tf.util.sizeFromShape([...size]);
  if (total === 0) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const strides = [...tf.util.computeStrides([...x.shape]), 1];
  const rank = size.length;
  let runAxis = rank - 1;
  let runLength = size[runAxis]!;
  while (runAxis > 0 && size[runAxis] === x.shape[runAxis]) {
    runAxis -= 1;
    runLength *= size[runAxis]!;
  }
  const outerIndex = new Array<number>(runAxis).fill(0);
  for (let written = 0; written < total; written += runLength) {
    let from = begin[runAxis]! * strides[runAxis]!;
    for (let axis = 0; axis < runAxis; axis++) from += (begin[axis]! + outerIndex[axis]!) * strides[axis]!;
    target.set(source.subarray(from, from + runLength), written);
    for (let axis = runAxis - 1; axis >= 0; axis--) {
      outerIndex[axis]! += 1;
      if (outerIndex[axis]! < size[axis]!) break;
      outerIndex[axis] = 0;
    }
  }
  return out;
}
