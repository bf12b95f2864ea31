import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * `UnsortedSegmentSum` on wasm, which stock wasm lacks and tf.gather's gradient needs (embedding
 * tables). out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as on cpu.
 * Wasm has no scatter-add to build on and a one-hot matmul would need numSegments x rows memory (a
 * 49408-token vocabulary), so this adds rows directly in the wasm heap: one pass over x.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idRank = segmentIds.shape.length;
  const rowShape = x.shape.slice(idRank);
  const rowSize = tf.util.sizeFromShape(rowShape);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  const sums = wasm.typedArrayFromHeap(out);
  sums.fill(0);
  const values = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * rowSize;
    const to = segment * rowSize;
    for (let k = 0; k < rowSize; k++) sums[to + k]! += values[from + k]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
