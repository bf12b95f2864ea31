/**
 * A float64 4x4 matrix-product micro-kernel in WebAssembly SIMD (f64x2), assembled here from its
 * opcodes so no binary ships with the package. It roughly doubles the speed of the large products
 * of the Fréchet distance over the best plain-JavaScript kernel. Where wasm SIMD is unavailable,
 * {@link loadSimdKernel} returns null and callers use JavaScript.
 */

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

function signedLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  f64Store: 0x39,
  f64Add: 0xa0,
  simd: 0xfd,
} as const;
const SIMD = {
  load: 0,
  load64Splat: 10,
  store: 11,
  const: 12,
  f64x2Splat: 20,
  f64x2ExtractLane: 33,
  f64x2Add: 240,
  f64x2Mul: 242,
} as const;

const get = (local: number) => [OP.localGet, ...unsignedLeb(local)];
const set = (local: number) => [OP.localSet, ...unsignedLeb(local)];
const simd = (code: number, ...immediates: number[]) => [OP.simd, ...unsignedLeb(code), ...immediates];
const memory = (alignLog2: number, offset: number) => [...unsignedLeb(alignLog2), ...unsignedLeb(offset)];
const addConstant = (local: number, value: number) => [
  ...get(local),
  OP.i32Const,
  ...signedLeb(value),
  OP.i32Add,
  ...set(local),
];

/**
 * `strip(a, b, depth, tiles, out)`: for t < tiles, out[t][r][c] = sum_p A[p][r] * B_t[p][c], with
 * A packed as depth x 4 doubles at byte address a and tile t of B as depth x 4 doubles at
 * b + t * depth * 32. Results go to out + t * 128 (16 doubles, row-major 4x4).
 */
function stripFunctionBody(): number[] {
  const [a, b, depth, tiles, out] = [0, 1, 2, 3, 4];
  const [p, aCursor, bCursor] = [5, 6, 7];
  const acc = 8; // 8 v128 accumulators: acc + 2r holds columns 0-1 of row r, acc + 2r + 1 columns 2-3.
  const [b01, b23] = [16, 17];
  const code: number[] = [];
  code.push(OP.block, 0x40, OP.loop, 0x40);
  code.push(...get(tiles), OP.i32Eqz, OP.brIf, 1);
  for (let i = 0; i < 8; i++)
    code.push(...simd(SIMD.const, ...new Array<number>(16).fill(0)), ...set(acc + i));
  code.push(...get(depth), ...set(p), ...get(a), ...set(aCursor), ...get(b), ...set(bCursor));
  code.push(OP.block, 0x40, OP.loop, 0x40);
  code.push(...get(p), OP.i32Eqz, OP.brIf, 1);
  code.push(...get(bCursor), ...simd(SIMD.load, ...memory(3, 0)), ...set(b01));
  code.push(...get(bCursor), ...simd(SIMD.load, ...memory(3, 16)), ...set(b23));
  for (let r = 0; r < 4; r++) {
    for (const [half, pair] of [
      [0, b01],
      [1, b23],
    ] as const) {
      code.push(
        ...get(acc + 2 * r + half),
        ...get(aCursor),
        ...simd(SIMD.load64Splat, ...memory(3, 8 * r)),
        ...get(pair),
        ...simd(SIMD.f64x2Mul),
        ...simd(SIMD.f64x2Add),
        ...set(acc + 2 * r + half),
      );
    }
  }
  code.push(...addConstant(aCursor, 32), ...addConstant(bCursor, 32), ...addConstant(p, -1));
  code.push(OP.br, 0, OP.end, OP.end);
  for (let i = 0; i < 8; i++)
    code.push(...get(out), ...get(acc + i), ...simd(SIMD.store, ...memory(3, 16 * i)));
  code.push(...get(bCursor), ...set(b), ...addConstant(out, 128), ...addConstant(tiles, -1));
  code.push(OP.br, 0, OP.end, OP.end, OP.end);
  const locals = [2, ...unsignedLeb(3), I32, ...unsignedLeb(12), V128];
  return [...locals, ...code];
}

/**
 * `rows4(a0, a1, a2, a3, x, y, pairs, x0, x1, x2, x3, out)`: four matrix rows starting at byte
 * addresses a0..a3, over 2 * pairs columns: out[k] = sum_r a_k[r] x[r] and y[r] += sum_k a_k[r] x_k.
 * The inner loop of a symmetric matrix-vector product over an upper triangle, two columns per step.
 */
function rowsFunctionBody(): number[] {
  const rowsAt = [0, 1, 2, 3];
  const [x, y, pairs] = [4, 5, 6];
  const scalars = [7, 8, 9, 10];
  const out = 11;
  const sums = [12, 13, 14, 15];
  const splats = [16, 17, 18, 19];
  const xPair = 20;
  const rowPairs = [21, 22, 23, 24];
  const code: number[] = [];
  for (let k = 0; k < 4; k++) {
    code.push(...get(scalars[k]!), ...simd(SIMD.f64x2Splat), ...set(splats[k]!));
    code.push(...simd(SIMD.const, ...new Array<number>(16).fill(0)), ...set(sums[k]!));
  }
  code.push(OP.block, 0x40, OP.loop, 0x40);
  code.push(...get(pairs), OP.i32Eqz, OP.brIf, 1);
  code.push(...get(x), ...simd(SIMD.load, ...memory(3, 0)), ...set(xPair));
  for (let k = 0; k < 4; k++) {
    code.push(...get(rowsAt[k]!), ...simd(SIMD.load, ...memory(3, 0)), ...set(rowPairs[k]!));
    code.push(
      ...get(sums[k]!),
      ...get(rowPairs[k]!),
      ...get(xPair),
      ...simd(SIMD.f64x2Mul),
      ...simd(SIMD.f64x2Add),
      ...set(sums[k]!),
    );
  }
  code.push(...get(y), ...get(y), ...simd(SIMD.load, ...memory(3, 0)));
  for (let k = 0; k < 4; k++) {
    code.push(...get(rowPairs[k]!), ...get(splats[k]!), ...simd(SIMD.f64x2Mul), ...simd(SIMD.f64x2Add));
  }
  code.push(...simd(SIMD.store, ...memory(3, 0)));
  for (const pointer of [...rowsAt, x, y]) code.push(...addConstant(pointer, 16));
  code.push(...addConstant(pairs, -1), OP.br, 0, OP.end, OP.end);
  for (let k = 0; k < 4; k++) {
    code.push(
      ...get(out),
      ...get(sums[k]!),
      ...simd(SIMD.f64x2ExtractLane, 0),
      ...get(sums[k]!),
      ...simd(SIMD.f64x2ExtractLane, 1),
      OP.f64Add,
      OP.f64Store,
      ...memory(3, 8 * k),
    );
  }
  code.push(OP.end);
  const locals = [1, ...unsignedLeb(14), V128];
  return [...locals, ...code];
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...unsignedLeb(bytes.length), ...bytes];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsignedLeb(bytes.length), ...bytes];
}

/** The module: imports `env.memory`, exports `strip` and `rows4`. */
export function simdKernelModuleBytes(): Uint8Array<ArrayBuffer> {
  const strip = stripFunctionBody();
  const rows = rowsFunctionBody();
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [
      2,
      ...[0x60, 5, I32, I32, I32, I32, I32, 0],
      ...[0x60, 12, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, F64, I32, 0],
    ]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('strip'), 0x00, 0, ...name('rows4'), 0x00, 1]),
    ...section(10, [2, ...unsignedLeb(strip.length), ...strip, ...unsignedLeb(rows.length), ...rows]),
  ];
  return new Uint8Array(bytes);
}

/** The instantiated product kernel and its packing memory (which grows on demand). */
export interface SimdKernel {
  strip(aByteOffset: number, bByteOffset: number, depth: number, tiles: number, outByteOffset: number): void;
  /** A Float64Array view of at least `doubles` elements over the kernel's memory. */
  view(doubles: number): Float64Array;
}

/**
 * A symmetric `n x n` matrix and two vectors held in a kernel instance's own memory, with the
 * four-row step of y = A x over the upper triangle. The memory never grows, so the views stay valid.
 */
export interface SymmetricProductKernel {
  /** Row-major `n x n`. */
  matrix: Float64Array;
  x: Float64Array;
  y: Float64Array;
  /**
   * For rows j..j+3 and columns [start, n): y[r] += sum_k A[j+k][r] x[j+k], and returns
   * sum_r A[j+k][r] x[r] for k = 0..3 in `sums`.
   */
  accumulateRows(j: number, start: number, sums: Float64Array): void;
}

type Strip = (a: number, b: number, depth: number, tiles: number, out: number) => void;
type Rows4 = (...args: number[]) => void;

let compiled: WebAssembly.Module | null | undefined;

function compiledModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (!wasm) return compiled;
  const bytes = simdKernelModuleBytes();
  if (!wasm.validate(bytes)) return compiled;
  try {
    compiled = new wasm.Module(bytes);
  } catch {
    // A Content-Security-Policy without 'wasm-unsafe-eval' forbids compiling: stay in JavaScript.
  }
  return compiled;
}

function instantiate(pages: number): { memory: WebAssembly.Memory; exports: WebAssembly.Exports } | null {
  const module = compiledModule();
  if (!module) return null;
  const memory = new WebAssembly.Memory({ initial: pages });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports };
}

let cached: SimdKernel | null | undefined;

/** The wasm SIMD product kernel, or null where WebAssembly SIMD is not available. */
export function loadSimdKernel(): SimdKernel | null {
  if (cached !== undefined) return cached;
  cached = null;
  const instance = instantiate(16);
  if (!instance) return cached;
  const { memory } = instance;
  const strip = instance.exports['strip'] as Strip;
  let view = new Float64Array(memory.buffer);
  cached = {
    strip,
    view(doubles) {
      const needed = doubles * 8;
      if (memory.buffer.byteLength < needed)
        memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      if (view.buffer !== memory.buffer) view = new Float64Array(memory.buffer);
      return view;
    },
  };
  return cached;
}

/**
 * A fresh kernel instance whose memory holds an `n x n` matrix and two n-vectors (freed with the
 * returned object), or null where WebAssembly SIMD is not available.
 */
export function createSymmetricProductKernel(n: number): SymmetricProductKernel | null {
  const doubles = n * n + 2 * n + 4;
  const instance = instantiate(Math.max(1, Math.ceil((doubles * 8) / 65536)));
  if (!instance) return null;
  const buffer = instance.memory.buffer;
  const rows4 = instance.exports['rows4'] as Rows4;
  const matrix = new Float64Array(buffer, 0, n * n);
  const x = new Float64Array(buffer, n * n * 8, n);
  const y = new Float64Array(buffer, (n * n + n) * 8, n);
  const outOffset = (n * n + 2 * n) * 8;
  const out = new Float64Array(buffer, outOffset, 4);
  return {
    matrix,
    x,
    y,
    accumulateRows(j, start, sums) {
      const count = n - start;
      const pairs = count >> 1;
      const row = (k: number) => ((j + k) * n + start) * 8;
      rows4(
        row(0),
        row(1),
        row(2),
        row(3),
        (n * n + start) * 8,
        (n * n + n + start) * 8,
        pairs,
        x[j]!,
        x[j + 1]!,
        x[j + 2]!,
        x[j + 3]!,
        outOffset,
      );
      for (let k = 0; k < 4; k++) sums[k] = out[k]!;
      if (count % 2 === 1) {
        const r = n - 1;
        const xr = x[r]!;
        let update = 0;
        for (let k = 0; k < 4; k++) {
          const value = matrix[(j + k) * n + r]!;
          sums[k] = sums[k]! + value * xr;
          update += value * x[j + k]!;
        }
        y[r] = y[r]! + update;
      }
    },
  };
}
