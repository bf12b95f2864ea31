import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Explicit per-side padding of the two spatial axes, `[[top, bottom], [left, right]]`. */
export type SpatialPadding = readonly [readonly [number, number], readonly [number, number]];

/**
 * Calls stock wasm kernels directly on TensorInfos that already live on the wasm heap, so composite
 * kernels run on XNNPACK without going through the engine (no tape, no tensor objects). Every output
 * it makes is an intermediate and is freed by {@link withWasmKernels}, except the one returned.
 */
export class WasmKernelScope {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Runs the wasm kernel `kernelName`; throws naming it when the wasm backend lacks it. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, 'wasm');
    if (config === undefined) {
      throw new Error(`wasm training kernels: the wasm backend has no '${kernelName}' kernel to build on`);
    }
    return this.runConfig(config, inputs, attrs);
  }

  /** Runs the kernel `config` (for example a stock kernel that a wrapper has replaced in the registry). */
  runConfig(
    config: tf.KernelConfig,
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap = {},
  ): tf.TensorInfo {
    const output = config.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(output)) {
      throw new Error(`wasm training kernels: '${config.kernelName}' returned several outputs, expected one`);
    }
    this.intermediates.push(output);
    return output;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  reverse(x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
    return this.run(tf.Reverse, { x }, { dims });
  }

  sum(x: tf.TensorInfo, axis: number[]): tf.TensorInfo {
    return this.run(tf.Sum, { x }, { axis, keepDims: false });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run(tf.Slice, { x }, { begin, size });
  }

  /** Every `step`-th element from `begin` on each axis (a strided slice to the end). */
  stridedSlice(x: tf.TensorInfo, begin: number[], step: number[]): tf.TensorInfo {
    return this.run(
      tf.StridedSlice,
      { x },
      {
        begin,
        end: [...x.shape],
        strides: step,
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      },
    );
  }

  /** Zero padding, `paddings[axis] = [before, after]`. */
  pad(x: tf.TensorInfo, paddings: Array<[number, number]>): tf.TensorInfo {
    return this.run(tf.PadV2, { x }, { paddings, constantValue: 0 });
  }

  /** Stacks equally shaped tensors along a new `axis`. */
  stack(values: tf.TensorInfo[], axis: number): tf.TensorInfo {
    // Pack takes its inputs as an array, as tf.stack passes them.
    return this.run(tf.Pack, values as unknown as tf.NamedTensorInfoMap, { axis });
  }

  zeros(shape: number[]): tf.TensorInfo {
    return this.run(tf.Fill, {}, { shape, value: 0, dtype: 'float32' });
  }

  /**
   * Applies spatial padding to an NHWC tensor where it is negative (by cropping) and returns the
   * remaining non-negative padding in the explicit form the wasm convolutions take.
   */
  cropForPadding(
    x: tf.TensorInfo,
    [[top, bottom], [left, right]]: SpatialPadding,
  ): { input: tf.TensorInfo; pad: tf.backend_util.ExplicitPadding } {
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ];
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return { input: x, pad };
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const keptHeight = height - cropTop - Math.max(-bottom, 0);
    const keptWidth = width - cropLeft - Math.max(-right, 0);
    const input = this.slice(x, [0, cropTop, cropLeft, 0], [batch, keptHeight, keptWidth, channels]);
    return { input, pad };
  }

  /** Frees every intermediate except `output`, which the caller hands to the engine. */
  release(keep: tf.TensorInfo | null): void {
    for (const info of this.intermediates) {
      if (info !== keep) this.backend.disposeData(info.dataId);
    }
    this.intermediates.length = 0;
  }
}

/**
 * Runs `body` with a {@link WasmKernelScope} and frees all its intermediates afterwards (also on error).
 * Reshape outputs share storage with their input through reference counts, so freeing them is safe.
 */
export function withWasmKernels(
  backend: unknown,
  body: (scope: WasmKernelScope) => tf.TensorInfo,
): tf.TensorInfo {
  const scope = new WasmKernelScope(backend as BackendWasm);
  let output: tf.TensorInfo | null = null;
  try {
    output = body(scope);
    return output;
  } finally {
    scope.release(output);
  }
}
