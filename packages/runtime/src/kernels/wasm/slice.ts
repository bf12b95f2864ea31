import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { copyHeapSlice } from './heap-slice';

/** `Slice` on wasm without copying the whole input first ({@link copyHeapSlice}); strings go to the stock kernel. */
function createSlice(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [start, extent] = tf.slice_util.parseSliceParams(x, begin, size);
    return copyHeapSlice(args.backend as BackendWasm, x, start!, extent!);
  };
}

/** `SplitV` (tf.split) on wasm, each piece copied once from the wasm heap. */
function createSplitV(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, splitAxis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((length) => {
      const size = [...x.shape];
      size[splitAxis] = length;
      const piece = copyHeapSlice(args.backend as BackendWasm, x, begin, size);
      begin[splitAxis]! += length;
      return piece;
    });
  };
}

/** `Unpack` (tf.unstack) on wasm, each piece copied once from the wasm heap straight into its final shape. */
function createUnpack(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (value.dtype === 'string') return stock.kernelFunc(args);
    const { axis } = args.attrs as unknown as tf.UnpackAttrs;
    const unpackAxis = tf.util.parseAxisParam(axis, value.shape)[0]!;
    const outShape = value.shape.filter((_, index) => index !== unpackAxis);
    const size = [...value.shape];
    size[unpackAxis] = 1;
    const begin = new Array<number>(value.shape.length).fill(0);
    return Array.from({ length: value.shape[unpackAxis]! }, (_, index) => {
      begin[unpackAxis] = index;
      return copyHeapSlice(args.backend as BackendWasm, value, begin, size, outShape);
    });
  };
}

/** Wrappers of the stock wasm kernels that slice, keyed by kernel name. */
export const heapSliceKernelFactories: Readonly<Record<string, (stock: tf.KernelConfig) => tf.KernelFunc>> = {
  [tf.Slice]: createSlice,
  [tf.SplitV]: createSplitV,
  [tf.Unpack]: createUnpack,
};
