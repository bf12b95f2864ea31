import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../backends/use-backend';
import { SeededRandom } from '../random/seeded-random';
import { registerWasmTrainingKernels, wasmTrainingKernelNames } from './register-wasm-training-kernels';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface KernelInput {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype: 'float32' | 'int32';
}

interface KernelRun {
  /** Every output's values, concatenated in output order. */
  values: Float32Array | Int32Array;
  /** The output's shape, or each output's shape for kernels with several outputs. */
  shape: number[] | number[][];
  /** Backend storage entries left behind by the kernel (intermediates it failed to free). */
  leakedData: number;
}

/** Runs one kernel on `backend` with fresh tensors holding `inputs`. */
async function runKernel(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, KernelInput>,
  attrs: object,
): Promise<KernelRun> {
  await useBackend(backend);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, input] of Object.entries(inputs)) {
    tensors[name] = tf.tensor(input.values, input.shape, input.dtype);
  }
  const dataBefore = tf.engine().backend.numDataIds();
  const output = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as
    | tf.Tensor
    | tf.Tensor[];
  const outputs = Array.isArray(output) ? output : [output];
  const values = outputs.flatMap((tensor) => Array.from(tensor.dataSync()));
  const run: KernelRun = {
    values: outputs[0]!.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
    shape: Array.isArray(output) ? output.map((tensor) => tensor.shape) : output.shape,
    leakedData: 0,
  };
  tf.dispose(outputs);
  run.leakedData = tf.engine().backend.numDataIds() - dataBefore;
  tf.dispose(Object.values(tensors));
  return run;
}

/** max |wasm - cpu| / max |cpu|, after checking shapes and storage leaks. */
async function wasmVersusCpu(kernelName: string, inputs: Record<string, KernelInput>, attrs: object) {
  const reference = await runKernel('cpu', kernelName, inputs, attrs);
  const candidate = await runKernel('wasm', kernelName, inputs, attrs);
  expect(candidate.shape, `${kernelName} output shape`).toEqual(reference.shape);
  expect(candidate.leakedData, `${kernelName} wasm storage leak`).toBe(0);
  let worstDifference = 0;
  let largest = 0;
  reference.values.forEach((value, index) => {
    worstDifference = Math.max(worstDifference, Math.abs(value - candidate.values[index]!));
    largest = Math.max(largest, Math.abs(value));
  });
  expect(largest, `${kernelName} reference is all zeros`).toBeGreaterThan(0);
  const relative = worstDifference / largest;
  worstRelative.set(kernelName, Math.max(worstRelative.get(kernelName) ?? 0, relative));
  return relative;
}

/** Worst relative error seen per kernel, printed at the end for the record. */
const worstRelative = new Map<string, number>();
afterAll(() => {
  for (const [kernelName, error] of worstRelative)
    console.log(`worst ${kernelName} wasm vs cpu: ${error.toExponential(2)}`);
});

const random = new SeededRandom(20240611);

function floats(shape: number[]): KernelInput {
  return { shape, values: random.normalArray(tf.util.sizeFromShape(shape)), dtype: 'float32' };
}

function describePad(pad: Pad): string {
  return typeof pad === 'object' ? JSON.stringify(pad.slice(1, 3)) : String(pad);
}

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  /** outChannels for conv2d, channel multiplier for depthwise. */
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: [number, number];
  dilation: number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
}

/** Every stride in {1, 2} x padding in {same, valid} x square kernel 1..5, on odd and even sizes. */
function gridCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (let kernel = 1; kernel <= 5; kernel++) {
        cases.push({
          batch: 2 + (kernel % 2),
          height: 7 + kernel,
          width: 6 + 2 * (kernel % 3),
          inChannels: 3,
          outChannels: 2 + (kernel % 3),
          filterHeight: kernel,
          filterWidth: kernel,
          stride: [stride, stride],
          dilation: 1,
          pad,
          dataFormat: 'NHWC',
        });
      }
    }
  }
  return cases;
}

/** Random non-square shapes, mixed strides, numeric and explicit paddings, both data formats. */
function randomCases(count: number, allowNchw: boolean): ConvCase[] {
  const cases: ConvCase[] = [];
  for (let index = 0; index < count; index++) {
    const filterHeight = 1 + random.int(5);
    const filterWidth = 1 + random.int(5);
    const pads: Pad[] = [
      'same',
      'valid',
      random.int(3),
      [
        [0, 0],
        [random.int(3), random.int(3)],
        [random.int(3), random.int(3)],
        [0, 0],
      ],
    ];
    cases.push({
      batch: 1 + random.int(3),
      height: filterHeight + 2 + random.int(8),
      width: filterWidth + 2 + random.int(8),
      inChannels: 1 + random.int(4),
      outChannels: 1 + random.int(4),
      filterHeight,
      filterWidth,
      stride: [1 + random.int(2), 1 + random.int(2)],
      dilation: 1,
      pad: pads[random.int(pads.length)]!,
      dataFormat: allowNchw && random.int(3) === 0 ? 'NCHW' : 'NHWC',
    });
  }
  return cases;
}

function caseName(c: ConvCase): string {
  return (
    `${c.batch}x${c.height}x${c.width}x${c.inChannels} k${c.filterHeight}x${c.filterWidth} ` +
    `s${c.stride.join('x')} d${c.dilation} pad ${describePad(c.pad)} ${c.dataFormat}`
  );
}

/** Explicit paddings are written NHWC; NCHW kernels want them on axes 2 and 3. */
function padFor(c: ConvCase): Pad {
  if (typeof c.pad !== 'object' || c.dataFormat === 'NHWC') return c.pad;
  return [[0, 0], [0, 0], c.pad[1], c.pad[2]];
}

function convGeometry(c: ConvCase, depthwise: boolean) {
  const filterShape: [number, number, number, number] = [
    c.filterHeight,
    c.filterWidth,
    c.inChannels,
    c.outChannels,
  ];
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    filterShape,
    c.stride,
    c.dilation,
    c.pad,
    undefined,
    depthwise,
  );
  const toFormat = (shape: number[]) =>
    c.dataFormat === 'NCHW' ? [shape[0]!, shape[3]!, shape[1]!, shape[2]!] : shape;
  return {
    filterShape,
    xShape: toFormat([c.batch, c.height, c.width, c.inChannels]) as [number, number, number, number],
    dyShape: toFormat(info.outShape),
  };
}

const tolerance = 1e-4;

beforeAll(async () => {
  await useBackend('wasm');
});

describe('registerWasmTrainingKernels', () => {
  test('installs every kernel for wasm and is idempotent', () => {
    registerWasmTrainingKernels();
    const first = wasmTrainingKernelNames.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    registerWasmTrainingKernels();
    const second = wasmTrainingKernelNames.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    expect(first.every((kernel) => kernel !== undefined)).toBe(true);
    expect(second).toEqual(first);
    expect(wasmTrainingKernelNames).toEqual(
      expect.arrayContaining([
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'DepthwiseConv2dNativeBackpropFilter',
        'DepthwiseConv2dNativeBackpropInput',
        'UnsortedSegmentSum',
        'BatchMatMul',
        'Multiply',
        'Reverse',
        'Slice',
        'SplitV',
        'Unpack',
      ]),
    );
  });
});

describe('conv2d gradient kernels on wasm match cpu', () => {
  const cases = [...gridCases(), ...randomCases(24, true)];
  test.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => {
    const { filterShape, xShape, dyShape } = convGeometry(c, false);
    const x = floats(xShape);
    const dy = floats(dyShape);
    const filter = floats(filterShape);
    const common = { strides: c.stride, pad: padFor(c), dataFormat: c.dataFormat };
    const filterError = await wasmVersusCpu('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape });
    const inputError = await wasmVersusCpu(
      'Conv2DBackpropInput',
      { dy, filter },
      { ...common, inputShape: xShape },
    );
    expect(filterError, 'Conv2DBackpropFilter').toBeLessThan(tolerance);
    expect(inputError, 'Conv2DBackpropInput').toBeLessThan(tolerance);
  });
});

describe('depthwise conv2d gradient kernels on wasm match cpu', () => {
  const cases = [...gridCases(), ...randomCases(16, false)];
  test.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => {
    const { filterShape, xShape, dyShape } = convGeometry(c, true);
    const x = floats(xShape);
    const dy = floats(dyShape);
    const filter = floats(filterShape);
    const common = { strides: c.stride, dilations: c.dilation, pad: c.pad };
    const filterError = await wasmVersusCpu(
      'DepthwiseConv2dNativeBackpropFilter',
      { x, dy },
      { ...common, filterShape },
    );
    const inputError = await wasmVersusCpu(
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter },
      { ...common, inputShape: xShape },
    );
    expect(filterError, 'DepthwiseConv2dNativeBackpropFilter').toBeLessThan(tolerance);
    expect(inputError, 'DepthwiseConv2dNativeBackpropInput').toBeLessThan(tolerance);
  });
});

// The cpu depthwise backprop kernels ignore dilations (tfjs's gradient refuses dilated depthwise
// convolutions), so dilated cases are checked by adjointness with the dilated forward convolution:
// <depthwise(x, f), dy> = <x, backpropInput(dy, f)> = <f, backpropFilter(x, dy)>.
describe('dilated depthwise conv2d gradient kernels on wasm are adjoint to the forward convolution', () => {
  const explicit: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [1, 2],
    [0, 1],
    [0, 0],
  ];
  test.each([
    [2, 'same'],
    [3, 'valid'],
    [2, explicit],
  ] as const)('dilation %d, pad %j', async (dilation, pad) => {
    await useBackend('wasm');
    const [batch, height, width, channels, multiplier] = [2, 11, 10, 3, 2];
    const x = tf.tensor4d(random.normalArray(batch * height * width * channels), [
      batch,
      height,
      width,
      channels,
    ]);
    const filter = tf.tensor4d(random.normalArray(3 * 2 * channels * multiplier), [
      3,
      2,
      channels,
      multiplier,
    ]);
    const forward = tf.depthwiseConv2d(x, filter, 1, pad, 'NHWC', dilation);
    const dy = tf.tensor4d(random.normalArray(forward.size), forward.shape);
    const attrs = { strides: 1, dilations: dilation, pad };
    const dx = tf
      .engine()
      .runKernel(
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter },
        { ...attrs, inputShape: x.shape },
      ) as tf.Tensor;
    const dFilter = tf
      .engine()
      .runKernel(
        'DepthwiseConv2dNativeBackpropFilter',
        { x, dy },
        { ...attrs, filterShape: filter.shape },
      ) as tf.Tensor;
    const [outputSide, inputSide, filterSide] = [
      tf.sum(tf.mul(forward, dy)),
      tf.sum(tf.mul(x, dx)),
      tf.sum(tf.mul(filter, dFilter)),
    ].map((product) => product.dataSync()[0]!);
    expect(Math.abs(inputSide! - outputSide!)).toBeLessThan(1e-4 * Math.abs(outputSide!));
    expect(Math.abs(filterSide! - outputSide!)).toBeLessThan(1e-4 * Math.abs(outputSide!));
    tf.dispose([x, filter, forward, dy, dx, dFilter]);
  });
});

describe('UnsortedSegmentSum on wasm matches cpu', () => {
  test.each([
    ['rows of 5', [12], [5], 7],
    ['rows of 2x3', [10], [2, 3], 5],
    ['scalar rows', [9], [], 4],
  ] as const)('%s', async (_name, idShape, rowShape, numSegments) => {
    const idCount = tf.util.sizeFromShape([...idShape]);
    // Includes ids outside [0, numSegments), which both backends drop.
    const ids = Int32Array.from({ length: idCount }, () => random.int(numSegments + 2) - 1);
    const segmentIds: KernelInput = { shape: [...idShape], values: ids, dtype: 'int32' };
    const x = floats([...idShape, ...rowShape]);
    const error = await wasmVersusCpu('UnsortedSegmentSum', { x, segmentIds }, { numSegments });
    expect(error).toBeLessThan(1e-6);
  });
});

describe('BatchMatMul on wasm matches cpu', () => {
  test.each([
    ['plain', [1, 9, 7], [1, 7, 5], false, false],
    ['transposed a', [1, 7, 9], [1, 7, 5], true, false],
    ['transposed b', [1, 9, 7], [1, 5, 7], false, true],
    ['both transposed', [1, 7, 9], [1, 5, 7], true, true],
    ['batch of a against a shared b', [4, 9, 7], [1, 7, 5], false, false],
    ['batch of a against a shared transposed b', [4, 9, 7], [1, 5, 7], false, true],
    ['transposed batch of a against a shared b', [4, 7, 9], [1, 7, 5], true, false],
    ['batch against batch', [3, 9, 7], [3, 5, 7], false, true],
  ] as const)('%s', async (_name, aShape, bShape, transposeA, transposeB) => {
    const error = await wasmVersusCpu(
      'BatchMatMul',
      { a: floats([...aShape]), b: floats([...bShape]) },
      { transposeA, transposeB },
    );
    expect(error).toBeLessThan(1e-6);
  });
});

describe('slicing kernels on wasm match cpu', () => {
  test.each([
    ['inner box', [4, 5, 6], [1, 2, 3], [2, 3, 2]],
    ['full trailing axes', [4, 5, 6], [1, 0, 0], [2, 5, 6]],
    ['single column', [3, 4, 5, 6], [0, 1, 2, 5], [3, 2, 3, 1]],
    ['rank 5', [2, 3, 2, 3, 4], [1, 0, 1, 1, 0], [1, 3, 1, 2, 4]],
  ] as const)('Slice %s', async (_name, shape, begin, size) => {
    const error = await wasmVersusCpu('Slice', { x: floats([...shape]) }, { begin, size });
    expect(error).toBe(0);
  });

  test.each([
    ['equal pieces of the last axis', [2, 3, 8], 4, 2],
    ['uneven pieces of a middle axis', [2, 9, 3], [2, 4, 3], 1],
    ['pieces of the first axis', [6, 5], [1, 5], 0],
  ] as const)('SplitV %s', async (_name, shape, numOrSizeSplits, axis) => {
    const error = await wasmVersusCpu('SplitV', { x: floats([...shape]) }, { numOrSizeSplits, axis });
    expect(error).toBe(0);
  });

  test.each([
    ['filter taps', [3, 3, 4, 5], [0, 1]],
    ['the last axis', [2, 3, 4], [2]],
    ['a middle axis', [2, 3, 4], [1]],
    ['no axis', [2, 3], []],
  ] as const)('Reverse of %s', async (_name, shape, dims) => {
    const error = await wasmVersusCpu('Reverse', { x: floats([...shape]) }, { dims });
    expect(error).toBe(0);
  });

  test.each([
    ['first axis', [3, 4, 5], 0],
    ['middle axis', [3, 4, 5], 1],
    ['last axis', [3, 4, 5], 2],
  ] as const)('Unpack along the %s', async (_name, shape, axis) => {
    const error = await wasmVersusCpu('Unpack', { value: floats([...shape]) }, { axis });
    expect(error).toBe(0);
  });
});

describe('broadcasting arithmetic on wasm matches cpu', () => {
  const shapes = [
    ['a per-group scale', [2, 16, 4, 2], [2]],
    ['a per-sample group scale', [2, 16, 4, 2], [2, 1, 4, 1]],
    ['a column against a row', [5, 1], [1, 3]],
    ['the broadcast operand first', [4, 1], [3, 4, 6]],
    ['a per-channel bias (stock path)', [2, 3, 3, 40], [40]],
    ['a scalar', [3, 5], []],
  ] as const;
  const kernels = ['Add', 'Sub', 'Multiply', 'RealDiv'] as const;
  test.each(kernels.flatMap((kernel) => shapes.map(([name, a, b]) => [kernel, name, a, b] as const)))(
    '%s with %s',
    async (kernel, _name, aShape, bShape) => {
      const b = floats([...bShape]);
      // Keeps divisors away from zero so the relative error stays meaningful.
      if (kernel === 'RealDiv') b.values = b.values.map((value) => value + Math.sign(value || 1) * 0.5);
      const error = await wasmVersusCpu(kernel, { a: floats([...aShape]), b }, {});
      expect(error).toBeLessThan(1e-6);
    },
  );
});
