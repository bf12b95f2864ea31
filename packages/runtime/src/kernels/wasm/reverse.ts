import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * `Reverse` on wasm as block copies: everything after the last reversed axis is one contiguous block
 * that moves whole. Flipping a `[3, 3, 128, 128]` filter's taps (every transposed convolution does) is
 * nine copies; the stock kernel took 10 ms for it, three times the convolution it feeds.
 */
function createReverse(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { dims } = args.attrs as unknown as tf.ReverseAttrs;
    const reversed = new Set(tf.util.parseAxisParam(dims, x.shape));
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput([...x.shape], x.dtype);
    // Views only after makeOutput, which may grow (and detach) the heap.
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    if (target.length === 0) return out;
    const lastReversed = Math.max(-1, ...reversed);
    const block = tf.util.sizeFromShape(x.shape.slice(lastReversed + 1));
    const outer = x.shape.slice(0, lastReversed + 1);
    const strides = outer.map((_, axis) => tf.util.sizeFromShape(x.shape.slice(axis + 1)));
    const index = new Array<number>(outer.length).fill(0);
    for (let written = 0; written < target.length; written += block) {
      let from = 0;
      for (let axis = 0; axis < outer.length; axis++) {
        const position = reversed.has(axis) ? outer[axis]! - 1 - index[axis]! : index[axis]!;
        from += position * strides[axis]!;
      }
      target.set(source.subarray(from, from + block), written);
      for (let axis = outer.length - 1; axis >= 0; axis--) {
        index[axis]! += 1;
        if (index[axis]! < outer[axis]!) break;
        index[axis] = 0;
      }
    }
    return out;
  };
}

/** Wrapper of the stock wasm `Reverse` kernel, keyed by kernel name. */
export const reverseKernelFactories: Readonly<Record<string, (stock: tf.KernelConfig) => tf.KernelFunc>> = {
  [tf.Reverse]: createReverse,
};
