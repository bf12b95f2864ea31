import type * as tf from '@tensorflow/tfjs';
import type { WasmKernelScope } from './wasm-kernel-scope';

/** One spatial axis of a forward convolution, seen from the gradient with respect to its input. */
export interface ConvolutionAxis {
  /** Size of the forward input along this axis (the gradient's size). */
  inSize: number;
  /** Size of the forward output along this axis (dy's size). */
  outSize: number;
  filterSize: number;
  stride: number;
  dilation: number;
  /** Padding the forward convolution added before the input. */
  padBefore: number;
}

/**
 * The part of the input gradient that one residue class of filter taps produces: input rows
 * `offset, offset + stride, ...` receive exactly the taps `phase, phase + stride, ...`, so each
 * class is an ordinary stride-1 correlation of dy with those taps flipped.
 */
interface AxisPhase {
  phase: number;
  taps: number;
  /** Number of input rows this class produces: ceil((inSize - offset) / stride). */
  count: number;
  /** First input row this class produces, in [0, stride). */
  offset: number;
  padBefore: number;
  padAfter: number;
}

function planAxis(axis: ConvolutionAxis, name: string): AxisPhase[] {
  if (axis.stride > 1 && axis.dilation > 1) {
    throw new Error(
      `wasm transposed convolution: ${name} stride ${axis.stride} and dilation ${axis.dilation}; one must be 1`,
    );
  }
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < axis.stride; phase++) {
    const taps = Math.max(0, Math.ceil((axis.filterSize - phase) / axis.stride));
    const first = Math.ceil((axis.padBefore - phase) / axis.stride);
    const last = Math.floor((axis.padBefore + axis.inSize - 1 - phase) / axis.stride);
    const count = Math.max(0, last - first + 1);
    const span = (taps - 1) * axis.dilation;
    const padBefore = span - first;
    phases.push({
      phase,
      taps,
      count,
      offset: phase + axis.stride * first - axis.padBefore,
      padBefore,
      padAfter: count - axis.outSize - padBefore + span,
    });
  }
  return phases;
}

/** How a transposed convolution is evaluated with a forward one. */
export interface TransposedConvolutionSpec {
  /** The forward output gradient, `[batch, outHeight, outWidth, channels]`. */
  dy: tf.TensorInfo;
  /** Shape of the result, `[batch, inHeight, inWidth, inChannels]`. */
  inShape: readonly [number, number, number, number];
  /** The filter already laid out for `convolve`, taps on axes 0 and 1. */
  filter: tf.TensorInfo;
  rows: ConvolutionAxis;
  cols: ConvolutionAxis;
  /**
   * A stride-1 forward convolution of `input` with `taps` (taps already flipped), explicit padding,
   * returning `[batch, rows, cols, inChannels]`.
   */
  convolve(
    input: tf.TensorInfo,
    taps: tf.TensorInfo,
    pad: tf.backend_util.ExplicitPadding,
    dilations: [number, number],
  ): tf.TensorInfo;
}

/**
 * The gradient of a strided convolution with respect to its input, computed with forward (XNNPACK)
 * convolutions only: one per residue class of filter taps, interleaved afterwards. This does the same
 * multiply-adds as the transposed convolution itself, with no zero-stuffing of dy.
 */
export function transposedConvolution(
  scope: WasmKernelScope,
  spec: TransposedConvolutionSpec,
): tf.TensorInfo {
  const [batch, height, width, channels] = spec.inShape;
  const rowPhases = planAxis(spec.rows, 'row');
  const colPhases = planAxis(spec.cols, 'column');
  const rowsPerPhase = Math.ceil(height / spec.rows.stride);
  const colsPerPhase = Math.ceil(width / spec.cols.stride);
  const strided = spec.rows.stride > 1 || spec.cols.stride > 1;

  const phaseGradient = (row: AxisPhase, col: AxisPhase): tf.TensorInfo => {
    if (row.taps === 0 || col.taps === 0 || row.count === 0 || col.count === 0) {
      return scope.zeros([batch, rowsPerPhase, colsPerPhase, channels]);
    }
    const selected = strided
      ? scope.stridedSlice(
          spec.filter,
          [row.phase, col.phase, 0, 0],
          [spec.rows.stride, spec.cols.stride, 1, 1],
        )
      : spec.filter;
    const taps = scope.reverse(selected, [0, 1]);
    const { input, pad } = scope.cropForPadding(spec.dy, [
      [row.padBefore, row.padAfter],
      [col.padBefore, col.padAfter],
    ]);
    const gradient = spec.convolve(input, taps, pad, [spec.rows.dilation, spec.cols.dilation]);
    if (row.count === rowsPerPhase && col.count === colsPerPhase) return gradient;
    return scope.pad(gradient, [
      [0, 0],
      [0, rowsPerPhase - row.count],
      [0, colsPerPhase - col.count],
      [0, 0],
    ]);
  };

  if (!strided) return phaseGradient(rowPhases[0]!, colPhases[0]!);

  // Interleave: the class with row offset a and column offset b fills rows a, a+s, ... and columns b, b+s, ...
  const byOffset: tf.TensorInfo[][] = rowPhases.map(() => []);
  for (const row of rowPhases) {
    for (const col of colPhases) byOffset[row.offset]![col.offset] = phaseGradient(row, col);
  }
  const rowBlocks = byOffset.map((blocks) => scope.stack(blocks, 3));
  const interleaved = scope.reshape(scope.stack(rowBlocks, 2), [
    batch,
    rowsPerPhase * spec.rows.stride,
    colsPerPhase * spec.cols.stride,
    channels,
  ]);
  if (rowsPerPhase * spec.rows.stride === height && colsPerPhase * spec.cols.stride === width)
    return interleaved;
  return scope.slice(interleaved, [0, 0, 0, 0], [batch, height, width, channels]);
}
