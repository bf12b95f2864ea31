import * as tf from '@tensorflow/tfjs';
import { withWasmKernels } from './wasm-kernel-scope';

/**
 * `BatchMatMul` on wasm routed onto the one fast path of the stock kernel. Stock wasm runs XNNPACK only
 * for a single untransposed product; anything else (a transposed operand, or a batch of `a` against one
 * shared `b`) falls to a scalar loop 8-17x slower per flop. Every backward pass of a linear layer is
 * such a product. This kernel transposes operands explicitly and folds a batch of `a` into its rows when
 * `b` is shared, then calls the stock kernel; true batch-by-batch products (attention) pass through.
 */
function createBatchMatMul(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const aBatch = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const bBatch = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const fastAlready = aBatch === 1 && !transposeA && !transposeB;
    // A transposed batch of `a` cannot fold into rows without a batched transpose of its own.
    const foldable = bBatch === 1 && (aBatch === 1 || !transposeA);
    if (fastAlready || !foldable || a.dtype !== 'float32') return stock.kernelFunc(args);
    const [aRows, aCols] = a.shape.slice(-2) as [number, number];
    const [bRows, bCols] = b.shape.slice(-2) as [number, number];
    const outRows = transposeA ? aCols : aRows;
    const outCols = transposeB ? bRows : bCols;
    const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(
      a.shape.slice(0, -2),
      b.shape.slice(0, -2),
    );
    return withWasmKernels(args.backend, (scope) => {
      let left = scope.reshape(a, [aBatch * aRows, aCols]);
      if (transposeA) left = scope.transpose(left, [1, 0]);
      let right = scope.reshape(b, [bRows, bCols]);
      if (transposeB) right = scope.transpose(right, [1, 0]);
      const product = scope.runConfig(
        stock,
        {
          a: scope.reshape(left, [1, aBatch * outRows, left.shape[1]!]),
          b: scope.reshape(right, [1, ...right.shape]),
        },
        { transposeA: false, transposeB: false },
      );
      return scope.reshape(product, [...batchShape, outRows, outCols]);
    });
  };
}

/** Wrappers of the stock wasm matrix products, keyed by kernel name. */
export const batchMatMulKernelFactories: Readonly<Record<string, (stock: tf.KernelConfig) => tf.KernelFunc>> =
  {
    [tf.BatchMatMul]: createBatchMatMul,
  };
