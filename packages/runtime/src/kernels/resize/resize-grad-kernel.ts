import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ResizeGeometry } from './resize-adjoints';

/** An adjoint of a forward resize: input gradient from output gradient. */
export type Adjoint = (dy: ArrayLike<number>, geometry: ResizeGeometry) => Float32Array;

/** The cpu backend's storage, as far as these kernels use it. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function geometryOf(images: tf.TensorInfo, dy: tf.TensorInfo, attrs: tf.NamedAttrMap): ResizeGeometry {
  const [batch, inHeight, inWidth, channels] = images.shape as [number, number, number, number];
  const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeBilinearGradAttrs;
  return {
    batch,
    inHeight,
    inWidth,
    outHeight: dy.shape[1]!,
    outWidth: dy.shape[2]!,
    channels,
    alignCorners,
    halfPixelCenters,
  };
}

/** A cpu gradient kernel computing `adjoint` on the cpu backend's arrays. */
export function cpuResizeGradKernel(kernelName: string, adjoint: Adjoint): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as CpuBackend;
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const dx = adjoint(cpu.data.get(dy.dataId).values, geometryOf(images, dy, attrs ?? {}));
      return cpu.makeTensorInfo([...images.shape], 'float32', dx);
    },
  };
}

/** A wasm gradient kernel computing `adjoint` on the wasm heap. */
export function wasmResizeGradKernel(kernelName: string, adjoint: Adjoint): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const dx = adjoint(wasm.typedArrayFromHeap(dy), geometryOf(images, dy, attrs ?? {}));
      const out = wasm.makeOutput([...images.shape], 'float32');
      wasm.typedArrayFromHeap(out).set(dx);
      return out;
    },
  };
}
