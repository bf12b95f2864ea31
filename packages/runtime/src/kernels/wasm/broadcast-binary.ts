import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type BinaryOperation = 'add' | 'sub' | 'mul' | 'div';

/**
 * Folds neighbouring axes that both operands step through the same way (both contiguous, or both
 * broadcast), so a `[8, 1024, 8, 2] * [2]` product becomes a 2-D loop of `[65536, 2] * [1, 2]`.
 * @returns per folded axis: output size and each operand's element stride (0 where it broadcasts).
 */
function foldAxes(
  outShape: readonly number[],
  aShape: readonly number[],
  bShape: readonly number[],
): { sizes: number[]; aStrides: number[]; bStrides: number[] } {
  const broadcastStrides = (shape: readonly number[]) => {
    const padded = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
    const strides = new Array<number>(outShape.length);
    let stride = 1;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      strides[axis] = padded[axis] === 1 ? 0 : stride;
      stride *= padded[axis]!;
    }
    return strides;
  };
  const aFull = broadcastStrides(aShape);
  const bFull = broadcastStrides(bShape);
  const sizes: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let axis = outShape.length - 1; axis >= 0; axis--) {
    const size = outShape[axis]!;
    if (size === 1) continue;
    const last = sizes.length - 1;
    const foldsInto = (strides: number[], full: number[]) =>
      (strides[last] === 0 && full[axis] === 0) ||
      (strides[last] !== 0 && full[axis] === strides[last]! * sizes[last]!);
    if (last >= 0 && foldsInto(aStrides, aFull) && foldsInto(bStrides, bFull)) {
      sizes[last]! *= size;
    } else {
      sizes.push(size);
      aStrides.push(aFull[axis]!);
      bStrides.push(bFull[axis]!);
    }
  }
  if (sizes.length === 0) return { sizes: [1], aStrides: [0], bStrides: [0] };
  return { sizes: sizes.reverse(), aStrides: aStrides.reverse(), bStrides: bStrides.reverse() };
}

/** Where a 2-D block of one operand starts and how it steps: `start + row * rowStep + column * columnStep`. */
interface BlockView {
  values: Float32Array;
  start: number;
  rowStep: number;
  columnStep: number;
}

/** out[row, column] = a (op) b over a `rows x columns` block written contiguously from `outStart`. */
function runBinaryBlock(
  operation: BinaryOperation,
  a: BlockView,
  b: BlockView,
  out: Float32Array,
  outStart: number,
  rows: number,
  columns: number,
): void {
  const { values: x, columnStep: xStep } = a;
  const { values: y, columnStep: yStep } = b;
  let o = outStart;
  for (let row = 0; row < rows; row++) {
    const xRow = a.start + row * a.rowStep;
    const yRow = b.start + row * b.rowStep;
    switch (operation) {
      case 'add':
        for (let c = 0; c < columns; c++) out[o++] = x[xRow + c * xStep]! + y[yRow + c * yStep]!;
        break;
      case 'sub':
        for (let c = 0; c < columns; c++) out[o++] = x[xRow + c * xStep]! - y[yRow + c * yStep]!;
        break;
      case 'mul':
        for (let c = 0; c < columns; c++) out[o++] = x[xRow + c * xStep]! * y[yRow + c * yStep]!;
        break;
      case 'div':
        for (let c = 0; c < columns; c++) out[o++] = x[xRow + c * xStep]! / y[yRow + c * yStep]!;
        break;
    }
  }
}

/**
 * Inner runs at least this long, along which both operands advance, stay on the stock kernel, whose
 * SIMD loop beats this one there (a `[8, 32, 32, 64] + [64]` sum: 1.9 ms stock, 3 ms here). A run
 * along which one operand stays put (`[8, 18, 64] - [8, 18, 1]`, layer norms) is slow on stock at any length.
 */
const STOCK_MIN_INNER_RUN = 32;

/**
 * Broadcasting float32 Add/Sub/Multiply/RealDiv on wasm. The stock kernel computes a full index per
 * element when shapes differ, which costs 4-10x a same-shape product when the broadcast operand's
 * innermost run is short (a per-group scale `[8, 1024, 8, 2] * [2]` took 6 ms against 0.7 ms). Here
 * the axes are folded and a two-level loop runs on heap views. Same shapes, scalars, other dtypes and
 * long inner runs go to the stock SIMD kernel.
 */
function createBroadcastBinary(operation: BinaryOperation) {
  return (stock: tf.KernelConfig): tf.KernelFunc =>
    (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const stockIsFast =
        tf.util.arraysEqual(a.shape, b.shape) ||
        tf.util.sizeFromShape(a.shape) === 1 ||
        tf.util.sizeFromShape(b.shape) === 1;
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || stockIsFast) {
        return stock.kernelFunc(args);
      }
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const { sizes, aStrides, bStrides } = foldAxes(outShape, a.shape, b.shape);
      const inner = sizes.length - 1;
      const innerBroadcast = aStrides[inner] === 0 || bStrides[inner] === 0;
      if (sizes[inner]! >= STOCK_MIN_INNER_RUN && !innerBroadcast) return stock.kernelFunc(args);
      const backend = args.backend as BackendWasm;
      const out = backend.makeOutput(outShape, 'float32');
      // Views only after makeOutput, which may grow (and detach) the heap.
      const aValues = backend.typedArrayFromHeap(a) as Float32Array;
      const bValues = backend.typedArrayFromHeap(b) as Float32Array;
      const outValues = backend.typedArrayFromHeap(out) as Float32Array;
      if (outValues.length === 0) return out;
      const folded = [1, ...sizes];
      const aSteps = [0, ...aStrides];
      const bSteps = [0, ...bStrides];
      const column = folded.length - 1;
      const row = column - 1;
      const blockSize = folded[row]! * folded[column]!;
      const outerIndex = new Array<number>(row).fill(0);
      let aOffset = 0;
      let bOffset = 0;
      for (let written = 0; written < outValues.length; written += blockSize) {
        runBinaryBlock(
          operation,
          { values: aValues, start: aOffset, rowStep: aSteps[row]!, columnStep: aSteps[column]! },
          { values: bValues, start: bOffset, rowStep: bSteps[row]!, columnStep: bSteps[column]! },
          outValues,
          written,
          folded[row]!,
          folded[column]!,
        );
        for (let axis = row - 1; axis >= 0; axis--) {
          outerIndex[axis]! += 1;
          aOffset += aSteps[axis]!;
          bOffset += bSteps[axis]!;
          if (outerIndex[axis]! < folded[axis]!) break;
          aOffset -= aSteps[axis]! * folded[axis]!;
          bOffset -= bSteps[axis]! * folded[axis]!;
          outerIndex[axis] = 0;
        }
      }
      return out;
    };
}

/** Wrappers of the stock wasm arithmetic kernels, keyed by kernel name. */
export const broadcastBinaryKernelFactories: Readonly<
  Record<string, (stock: tf.KernelConfig) => tf.KernelFunc>
> = {
  [tf.Add]: createBroadcastBinary('add'),
  [tf.Sub]: createBroadcastBinary('sub'),
  [tf.Multiply]: createBroadcastBinary('mul'),
  [tf.RealDiv]: createBroadcastBinary('div'),
};
