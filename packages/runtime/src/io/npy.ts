import { copyBytes } from './copy-bytes';
import { float16ArrayToFloat32, float16BitsToNumber } from './half-precision';
import { transposeArray } from './layout';

/**
 * numpy `.npy` arrays (format versions 1.0, 2.0 and 3.0). Reading accepts little- and big-endian
 * numeric dtypes and Fortran-ordered arrays (returned in C order); it never unpickles, so object
 * arrays are refused. Writing produces version 1.0 (2.0 for huge headers), little-endian, C order,
 * exactly as `np.save` does.
 */

/** numpy dtype codes (kind + bytes) that RATLIP.js reads and writes. */
export type NpyDtype = 'f2' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

/** Values of an {@link NpyArray}: f2 holds raw float16 words, b1 holds 0/1 bytes. */
export type NpyTypedArray =
  | Uint16Array
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint32Array
  | BigUint64Array;

/** A numpy array: row-major (C order) values with their dtype and shape (`[]` for a 0-d scalar). */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyTypedArray;
}

/** Thrown for every malformed or unsupported `.npy` array; `source` names the file (and entry). */
export class NpyError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'NpyError';
  }
}

/** Options of {@link readNpy}. */
export interface NpyReadOptions {
  /** Name of the file, used in error messages. Default `'npy'`. */
  source?: string;
}

type NpyArrayConstructor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): NpyTypedArray;
  new (length: number): NpyTypedArray;
};

interface DtypeInfo {
  size: number;
  ArrayType: NpyArrayConstructor;
}

const DTYPES: Readonly<Record<NpyDtype, DtypeInfo>> = {
  f2: { size: 2, ArrayType: Uint16Array },
  f4: { size: 4, ArrayType: Float32Array },
  f8: { size: 8, ArrayType: Float64Array },
  i1: { size: 1, ArrayType: Int8Array },
  i2: { size: 2, ArrayType: Int16Array },
  i4: { size: 4, ArrayType: Int32Array },
  i8: { size: 8, ArrayType: BigInt64Array },
  u1: { size: 1, ArrayType: Uint8Array },
  u2: { size: 2, ArrayType: Uint16Array },
  u4: { size: 4, ArrayType: Uint32Array },
  u8: { size: 8, ArrayType: BigUint64Array },
  b1: { size: 1, ArrayType: Uint8Array },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const HEADER_ALIGNMENT = 64;

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Parses the Python literal of an `.npy` header (a dict of strings, ints, bools and tuples). */
class PyLiteralParser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  parse(): PyValue {
    const value = this.value();
    this.skipSpace();
    if (this.position !== this.text.length) this.fail('unexpected text after the header dict');
    return value;
  }

  private fail(message: string): never {
    throw new NpyError(
      this.source,
      `header is not a valid Python literal: ${message} at character ${this.position}`,
    );
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
  }

  private value(): PyValue {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === '{') return this.dict();
    if (char === '(') return this.sequence(')');
    if (char === '[') return this.sequence(']');
    if (char === "'" || char === '"') return this.string();
    const word = /^(-?\d+)L?|^(True|False|None)/.exec(this.text.slice(this.position));
    if (!word) this.fail('expected a value');
    this.position += word[0].length;
    if (word[1] !== undefined) return Number(word[1]);
    return word[2] === 'True' ? true : word[2] === 'False' ? false : null;
  }

  private string(): string {
    const quote = this.text[this.position++];
    let out = '';
    while (this.position < this.text.length) {
      const char = this.text[this.position++]!;
      if (char === quote) return out;
      out += char === '\\' ? (this.text[this.position++] ?? '') : char;
    }
    return this.fail('unterminated string');
  }

  private sequence(close: string): PyValue[] {
    this.position++;
    const items: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === close) {
        this.position++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.position] === ',') this.position++;
      else if (this.text[this.position] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.position++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === '}') {
        this.position++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string') this.fail('dict keys must be strings');
      this.skipSpace();
      if (this.text[this.position++] !== ':') this.fail("expected ':'");
      out[key] = this.value();
      this.skipSpace();
      if (this.text[this.position] === ',') this.position++;
      else if (this.text[this.position] !== '}') this.fail("expected ',' or '}'");
    }
  }
}

interface ParsedDescr {
  dtype: NpyDtype;
  bigEndian: boolean;
}

function parseDescr(descr: PyValue, source: string): ParsedDescr {
  if (typeof descr !== 'string') {
    throw new NpyError(
      source,
      'structured dtypes (a list descr) are not supported; expected a plain numeric dtype',
    );
  }
  const match = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const code = match ? `${match[2]}${match[3]}` : '';
  const supported = Object.keys(DTYPES).join(', ');
  if (descr.includes('O')) {
    throw new NpyError(source, `dtype '${descr}' is an object array, which needs pickle; refused`);
  }
  if (!match || !Object.hasOwn(DTYPES, code)) {
    throw new NpyError(source, `dtype '${descr}' is not supported (supported: ${supported})`);
  }
  return { dtype: code as NpyDtype, bigEndian: match[1] === '>' && DTYPES[code as NpyDtype].size > 1 };
}

function parseShape(shape: PyValue, source: string): number[] {
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new NpyError(
      source,
      `header 'shape' must be a tuple of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  return shape as number[];
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let start = 0; start < bytes.length; start += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const tmp = bytes[start + i]!;
      bytes[start + i] = bytes[start + j]!;
      bytes[start + j] = tmp;
    }
  }
}

/** Reads one `.npy` array from bytes. */
export function readNpy(bytes: Uint8Array, options: NpyReadOptions = {}): NpyArray {
  const source = options.source ?? 'npy';
  if (bytes.byteLength < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new NpyError(source, 'not a .npy array (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.byteLength < 12) throw new NpyError(source, 'file truncated inside the header length');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new NpyError(source, `format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.byteLength) {
    throw new NpyError(
      source,
      `header length says ${headerLength} bytes but only ${bytes.byteLength - headerStart} follow (file truncated?)`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw new NpyError(source, 'header is not valid UTF-8');
  }
  const header = new PyLiteralParser(text, source).parse();
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new NpyError(source, 'header must be a dict');
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!Object.hasOwn(header, key)) throw new NpyError(source, `header lacks the '${key}' key`);
  }
  const { dtype, bigEndian } = parseDescr(header['descr']!, source);
  const fortranOrder = header['fortran_order'];
  if (typeof fortranOrder !== 'boolean') {
    throw new NpyError(
      source,
      `header 'fortran_order' must be True or False, got ${JSON.stringify(fortranOrder)}`,
    );
  }
  const shape = parseShape(header['shape']!, source);
  const { size, ArrayType } = DTYPES[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * size;
  const available = bytes.byteLength - dataStart;
  if (available < byteLength) {
    throw new NpyError(
      source,
      `${dtype} shape (${shape.join(', ')}) needs ${byteLength} data bytes but only ${available} are present (file truncated?)`,
    );
  }
  if (available > byteLength) {
    throw new NpyError(
      source,
      `${available - byteLength} unexpected bytes after the ${byteLength} data bytes of ${dtype} shape (${shape.join(', ')})`,
    );
  }
  const copy = copyBytes(bytes, dataStart, dataStart + byteLength);
  if (bigEndian) swapBytes(copy, size);
  let data = new ArrayType(copy.buffer, 0, count);
  if (fortranOrder && shape.length > 1) {
    // Fortran-order data is the C-order array of the reversed shape; reversing the axes restores it.
    const reversed = [...shape].reverse();
    data = transposeArray(
      { data, shape: reversed },
      reversed.map((_, i) => reversed.length - 1 - i),
    ).data;
  }
  return { dtype, shape: [...shape], data };
}

function formatShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** Checks that `array.data` is the typed array of `array.dtype` with one value per element. */
export function validateNpyArray(array: NpyArray, what = 'npy array'): void {
  if (!Object.hasOwn(DTYPES, array.dtype)) {
    throw new Error(
      `${what}: unknown dtype '${array.dtype}' (expected one of ${Object.keys(DTYPES).join(', ')})`,
    );
  }
  const { ArrayType } = DTYPES[array.dtype];
  if (!(array.data instanceof ArrayType)) {
    throw new Error(
      `${what}: dtype '${array.dtype}' needs a ${ArrayType.name}, got ${array.data.constructor.name}`,
    );
  }
  if (!array.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${what}: shape must be non-negative integers, got [${array.shape.join(', ')}]`);
  }
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) {
    throw new Error(
      `${what}: ${array.data.length} values do not fill shape [${array.shape.join(', ')}] (${count})`,
    );
  }
}

/** Serialises an array as `np.save` would (little-endian, C order, header padded to 64 bytes). */
export function writeNpy(array: NpyArray): Uint8Array {
  validateNpyArray(array, 'writeNpy');
  const { size } = DTYPES[array.dtype];
  const descr = `${size === 1 ? '|' : '<'}${array.dtype}`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${formatShape(array.shape)}, }`;
  const unpadded = 10 + dict.length + 1;
  let total = Math.ceil(unpadded / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  let headerStart = 10;
  if (total - 10 > 0xffff) {
    headerStart = 12;
    total = Math.ceil((unpadded + 2) / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  }
  const header = `${dict.padEnd(total - headerStart - 1, ' ')}\n`;
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC);
  out[6] = headerStart === 10 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (headerStart === 10) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), headerStart);
  out.set(data, total);
  return out;
}

const DTYPE_OF_ARRAY: ReadonlyArray<[NpyArrayConstructor, NpyDtype]> = [
  [Float32Array, 'f4'],
  [Float64Array, 'f8'],
  [Int8Array, 'i1'],
  [Int16Array, 'i2'],
  [Int32Array, 'i4'],
  [BigInt64Array, 'i8'],
  [Uint8Array, 'u1'],
  [Uint16Array, 'u2'],
  [Uint32Array, 'u4'],
  [BigUint64Array, 'u8'],
];

/**
 * Builds an {@link NpyArray} from values and a shape (default: 1-D of the values' length). The
 * dtype follows the typed array (Float32Array f4, Float64Array f8, Int32Array i4, BigInt64Array
 * i8, Uint8Array u1, ...); pass `dtype` for 'f2' (Uint16Array words) or 'b1' (Uint8Array 0/1).
 */
export function npyArray(
  data: NpyTypedArray,
  shape: readonly number[] = [data.length],
  dtype?: NpyDtype,
): NpyArray {
  const inferred = dtype ?? DTYPE_OF_ARRAY.find(([ArrayType]) => data instanceof ArrayType)?.[1];
  if (!inferred) throw new Error(`npyArray: cannot infer a dtype for ${data.constructor.name}`);
  const array: NpyArray = { dtype: inferred, shape: [...shape], data };
  validateNpyArray(array, 'npyArray');
  return array;
}

/** The values as float64 (f2 decoded, 64-bit integers via Number). Returns `data` itself for f8. */
export function npyToFloat64(array: NpyArray): Float64Array {
  if (array.dtype === 'f8') return array.data as Float64Array;
  const out = new Float64Array(array.data.length);
  if (array.dtype === 'f2') {
    const words = array.data as Uint16Array;
    for (let i = 0; i < words.length; i++) out[i] = float16BitsToNumber(words[i]!);
  } else if (array.data instanceof BigInt64Array || array.data instanceof BigUint64Array) {
    for (let i = 0; i < array.data.length; i++) out[i] = Number(array.data[i]!);
  } else {
    out.set(array.data);
  }
  return out;
}

/** The values as float32 (rounded from f8, f2 decoded). Returns `data` itself for f4. */
export function npyToFloat32(array: NpyArray): Float32Array {
  if (array.dtype === 'f4') return array.data as Float32Array;
  if (array.dtype === 'f2') return float16ArrayToFloat32(array.data as Uint16Array);
  return Float32Array.from(npyToFloat64(array));
}
