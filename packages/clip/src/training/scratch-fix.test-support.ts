import * as tf from '@tensorflow/tfjs';

/** SCRATCH: wasm BatchMatMul with explicit transposes (measurement only). */
export function patchWasmBatchMatMul(): void {
  const stock = tf.getKernel('BatchMatMul', 'wasm')!;
  const stockFunc = stock.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return stockFunc(args);
      const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
      const swap = (x: tf.TensorInfo) => {
        const r = x.shape.length;
        const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
        return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const at = transposeA ? swap(a) : a;
      const bt = transposeB ? swap(b) : b;
      const out = stockFunc({ inputs: { a: at, b: bt }, backend: args.backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      const backend = args.backend as { disposeData(id: object): void };
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
      return out;
    },
  });
}
