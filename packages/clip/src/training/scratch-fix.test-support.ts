import * as tf from '@tensorflow/tfjs';

export const matmulStats = new Map<string, { n: number; ms: number }>();

/** SCRATCH: wasm BatchMatMul with explicit transposes (measurement only). */
export function patchWasmBatchMatMul(fix = true): void {
  const stock = tf.getKernel('BatchMatMul', 'wasm')!;
  const stockFunc = stock.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const t0 = performance.now();
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const key = `${JSON.stringify(a.shape)}x${JSON.stringify(b.shape)} ${transposeA ? 'T' : '-'}${transposeB ? 'T' : '-'}`;
      const record = (out: unknown) => {
        const s = matmulStats.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - t0;
        matmulStats.set(key, s);
        return out;
      };
      if (!fix || (!transposeA && !transposeB)) return record(stockFunc(args)) as tf.TensorInfo;
      const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
      const swap = (x: tf.TensorInfo) => {
        const r = x.shape.length;
        const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
        return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const at = transposeA ? swap(a) : a;
      const bt = transposeB ? swap(b) : b;
      const out = stockFunc({
        inputs: { a: at, b: bt },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
      const backend = args.backend as { disposeData(id: object): void };
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
      return record(out) as tf.TensorInfo;
    },
  });
}
