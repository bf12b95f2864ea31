import * as tf from '@tensorflow/tfjs';

/**
 * Conversions between PyTorch layouts (conv weights `[out, in, kh, kw]`, Linear weights
 * `[out, in]`, channels-first activations `[batch, channels, height, width]`) and TF.js layouts
 * (conv filters `[kh, kw, in, out]`, dense kernels `[in, out]`, channels-last activations
 * `[batch, height, width, channels]`). Every function accepts either a tf.Tensor (and returns a
 * new tensor the caller disposes) or a {@link LayoutArray} of raw row-major values (and returns a
 * new array of the same type).
 */

/** Typed arrays that layout helpers can permute. */
export type LayoutTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Raw row-major values with their shape. */
export interface LayoutArray<T extends LayoutTypedArray = LayoutTypedArray> {
  data: T;
  shape: readonly number[];
}

type TypedArrayConstructor<T extends LayoutTypedArray> = new (length: number) => T;

function checkPermutation(perm: readonly number[], rank: number, what: string): void {
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || !sorted.every((axis, i) => axis === i)) {
    throw new Error(`${what}: perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
}

/**
 * Permutes the axes of row-major values: output axis i is input axis `perm[i]` (as `tf.transpose`).
 * Returns new values of the same typed-array type and the permuted shape.
 */
export function transposeArray<T extends LayoutTypedArray>(
  input: LayoutArray<T>,
  perm: readonly number[],
): { data: T; shape: number[] } {
  const { data, shape } = input;
  const rank = shape.length;
  checkPermutation(perm, rank, 'transposeArray');
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(
      `transposeArray: ${data.length} values do not fill shape [${shape.join(', ')}] (${count})`,
    );
  }
  const outShape = perm.map((axis) => shape[axis]!);
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    inStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  // Strides of the input, listed in output-axis order: walking the output row-major then only
  // needs an odometer over the output shape.
  const walkStrides = perm.map((axis) => inStrides[axis]!);
  const out = new (data.constructor as TypedArrayConstructor<T>)(count);
  const source = data as unknown as ArrayLike<number>;
  const target = out as unknown as { [index: number]: number };
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    target[i] = source[offset]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      offset += walkStrides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      offset -= walkStrides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return { data: out, shape: outShape };
}

function checkRank(shape: readonly number[], rank: number, what: string, layout: string): void {
  if (shape.length !== rank) {
    throw new Error(`${what}: expected a rank-${rank} ${layout} input, got shape [${shape.join(', ')}]`);
  }
}

function permute(
  input: tf.Tensor | LayoutArray,
  perm: readonly number[],
): tf.Tensor | { data: LayoutTypedArray; shape: number[] } {
  return input instanceof tf.Tensor ? tf.transpose(input, [...perm]) : transposeArray(input, perm);
}

/** PyTorch conv weight `[out, in, kh, kw]` to a TF.js conv2d filter `[kh, kw, in, out]`. */
export function oihwToHwio(weight: tf.Tensor): tf.Tensor;
export function oihwToHwio<T extends LayoutTypedArray>(weight: LayoutArray<T>): { data: T; shape: number[] };
export function oihwToHwio(weight: tf.Tensor | LayoutArray) {
  checkRank(weight.shape, 4, 'oihwToHwio', '[out, in, kh, kw]');
  return permute(weight, [2, 3, 1, 0]);
}

/** TF.js conv2d filter `[kh, kw, in, out]` to a PyTorch conv weight `[out, in, kh, kw]`. */
export function hwioToOihw(weight: tf.Tensor): tf.Tensor;
export function hwioToOihw<T extends LayoutTypedArray>(weight: LayoutArray<T>): { data: T; shape: number[] };
export function hwioToOihw(weight: tf.Tensor | LayoutArray) {
  checkRank(weight.shape, 4, 'hwioToOihw', '[kh, kw, in, out]');
  return permute(weight, [3, 2, 0, 1]);
}

/** PyTorch Linear weight `[out, in]` to a TF.js dense kernel `[in, out]` (for `x @ kernel`). */
export function linearToDense(weight: tf.Tensor): tf.Tensor;
export function linearToDense<T extends LayoutTypedArray>(
  weight: LayoutArray<T>,
): { data: T; shape: number[] };
export function linearToDense(weight: tf.Tensor | LayoutArray) {
  checkRank(weight.shape, 2, 'linearToDense', '[out, in]');
  return permute(weight, [1, 0]);
}

/** TF.js dense kernel `[in, out]` to a PyTorch Linear weight `[out, in]`. */
export function denseToLinear(kernel: tf.Tensor): tf.Tensor;
export function denseToLinear<T extends LayoutTypedArray>(
  kernel: LayoutArray<T>,
): { data: T; shape: number[] };
export function denseToLinear(kernel: tf.Tensor | LayoutArray) {
  checkRank(kernel.shape, 2, 'denseToLinear', '[in, out]');
  return permute(kernel, [1, 0]);
}

function channelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

function channelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

function checkSpatialRank(shape: readonly number[], what: string, layout: string): void {
  if (shape.length < 3) {
    throw new Error(`${what}: expected ${layout} (rank 3 or more), got shape [${shape.join(', ')}]`);
  }
}

/**
 * Channels-first activations `[batch, channels, height, width]` to channels-last
 * `[batch, height, width, channels]`. Any rank >= 3 works: axis 1 moves to the end
 * (`[batch, channels, length]` to `[batch, length, channels]`, likewise for 3-D volumes).
 */
export function nchwToNhwc(x: tf.Tensor): tf.Tensor;
export function nchwToNhwc<T extends LayoutTypedArray>(x: LayoutArray<T>): { data: T; shape: number[] };
export function nchwToNhwc(x: tf.Tensor | LayoutArray) {
  checkSpatialRank(x.shape, 'nchwToNhwc', '[batch, channels, ...spatial]');
  return permute(x, channelsLastPerm(x.shape.length));
}

/**
 * Channels-last activations `[batch, height, width, channels]` to channels-first
 * `[batch, channels, height, width]`. Any rank >= 3 works: the last axis moves to axis 1.
 */
export function nhwcToNchw(x: tf.Tensor): tf.Tensor;
export function nhwcToNchw<T extends LayoutTypedArray>(x: LayoutArray<T>): { data: T; shape: number[] };
export function nhwcToNchw(x: tf.Tensor | LayoutArray) {
  checkSpatialRank(x.shape, 'nhwcToNchw', '[batch, ...spatial, channels]');
  return permute(x, channelsFirstPerm(x.shape.length));
}
