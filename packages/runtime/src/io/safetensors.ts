import * as tf from '@tensorflow/tfjs';

/** Element types of the safetensors format that RATLIP.js reads and writes. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each dtype. */
export const SAFETENSORS_DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** One tensor's header entry. Offsets are relative to the start of the data section. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Start of the tensor's bytes, relative to the data section. */
  begin: number;
  /** End (exclusive) of the tensor's bytes, relative to the data section. */
  end: number;
}

/** A parsed and validated safetensors header. */
export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  /** `__metadata__`: string keys to string values. */
  metadata: Record<string, string>;
  /** Absolute byte offset of the data section (8 + header length). */
  dataOffset: number;
}

/** Options for header parsing. */
export interface SafetensorsParseOptions {
  /** Largest header accepted, in bytes. Default 100,000,000 (the format's own limit). */
  maxHeaderBytes?: number;
  /** Name of the file, used in error messages. Default `'safetensors'`. */
  source?: string;
}

/** Thrown for every malformed safetensors file; `source` names the file. */
export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const DEFAULT_MAX_HEADER = 100_000_000;

/** Reads the 8-byte little-endian header length from the first bytes of a file. */
export function readHeaderLength(prefix: Uint8Array, options: SafetensorsParseOptions = {}): number {
  const source = options.source ?? 'safetensors';
  if (prefix.byteLength < 8) {
    throw new SafetensorsError(
      source,
      `file is ${prefix.byteLength} bytes, shorter than the 8-byte header length`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  if (length > BigInt(max)) {
    throw new SafetensorsError(source, `header length ${length} exceeds the limit of ${max} bytes`);
  }
  if (length < 2n)
    throw new SafetensorsError(source, `header length ${length} is too small for a JSON object`);
  return Number(length);
}

/**
 * Parses and validates the JSON header. `headerBytes` is exactly the header (without the 8-byte
 * length prefix); `dataBytes` is the size of everything after it, so offsets can be checked
 * without reading the data.
 */
export function parseHeaderJson(
  headerBytes: Uint8Array,
  dataBytes: number,
  options: SafetensorsParseOptions = {},
): SafetensorsHeader {
  const source = options.source ?? 'safetensors';
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new SafetensorsError(source, `header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SafetensorsError(source, 'header is not a JSON object');
  }
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = validateMetadata(source, value);
      continue;
    }
    entries.set(name, validateEntry(source, name, value, dataBytes));
  }
  checkNoOverlap(source, [...entries.values()]);
  return { entries, metadata, dataOffset: 8 + headerBytes.byteLength };
}

function validateMetadata(source: string, value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(source, '__metadata__ must be an object of string values');
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new SafetensorsError(source, `__metadata__.${key} must be a string, got ${typeof item}`);
    }
  }
  return value as Record<string, string>;
}

function validateEntry(source: string, name: string, value: unknown, dataBytes: number): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(source, `${where}: entry must be an object with dtype, shape, data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_SIZE)) {
    throw new SafetensorsError(
      source,
      `${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(SAFETENSORS_DTYPE_SIZE).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(source, `${where}: shape must be an array of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new SafetensorsError(source, `${where}: data_offsets must be two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw new SafetensorsError(source, `${where}: data_offsets [${begin}, ${end}] end before begin`);
  if (end > dataBytes) {
    throw new SafetensorsError(
      source,
      `${where}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataBytes} bytes; file truncated?)`,
    );
  }
  const typed = dtype as SafetensorsDtype;
  const expected = (shape as number[]).reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_SIZE[typed];
  if (end - begin !== expected) {
    throw new SafetensorsError(
      source,
      `${where}: ${typed} shape [${(shape as number[]).join(', ')}] needs ${expected} bytes but data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype: typed, shape: [...(shape as number[])], begin, end };
}

function checkNoOverlap(source: string, entries: SafetensorsEntry[]): void {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.begin < previous.end) {
      throw new SafetensorsError(
        source,
        `tensors '${previous.name}' [${previous.begin}, ${previous.end}] and '${current.name}' [${current.begin}, ${current.end}] overlap`,
      );
    }
  }
}

/** Typed array that holds a dtype's raw values (F16/BF16 as raw 16-bit words, I64 as BigInt64Array). */
export type SafetensorsTypedArray =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** Decodes one tensor's little-endian bytes into its raw typed array (copying, so alignment never matters). */
export function decodeRaw(dtype: SafetensorsDtype, bytes: Uint8Array): SafetensorsTypedArray {
  const copy = bytes.slice().buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(copy);
    case 'F32':
      return new Float32Array(copy);
    case 'F16':
    case 'BF16':
      return new Uint16Array(copy);
    case 'I64':
      return new BigInt64Array(copy);
    case 'I32':
      return new Int32Array(copy);
    case 'I16':
      return new Int16Array(copy);
    case 'I8':
      return new Int8Array(copy);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(copy);
  }
}

/** IEEE half-precision bits to a number. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A number to IEEE half-precision bits, rounding to nearest even. */
export function numberToFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let result = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && result & 1)) result++;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && result & 1)) result++;
  return sign | result;
}

/** Converts any numeric dtype's raw values to float32 (F16/BF16 upcast, I64 via Number). */
export function toFloat32(dtype: SafetensorsDtype, raw: SafetensorsTypedArray): Float32Array {
  if (dtype === 'F32') return raw as Float32Array;
  const out = new Float32Array(raw.length);
  if (dtype === 'F16') {
    const words = raw as Uint16Array;
    for (let i = 0; i < words.length; i++) out[i] = float16BitsToNumber(words[i]!);
  } else if (dtype === 'BF16') {
    const words = raw as Uint16Array;
    const view = new Uint32Array(out.buffer);
    for (let i = 0; i < words.length; i++) view[i] = words[i]! << 16;
  } else if (dtype === 'I64') {
    const ints = raw as BigInt64Array;
    for (let i = 0; i < ints.length; i++) out[i] = Number(ints[i]!);
  } else {
    const numbers = raw as Exclude<SafetensorsTypedArray, BigInt64Array>;
    for (let i = 0; i < numbers.length; i++) out[i] = numbers[i]!;
  }
  return out;
}

/** Random access to the tensors of one safetensors file, from bytes in memory or a reader. */
export class SafetensorsFile {
  constructor(
    readonly header: SafetensorsHeader,
    private readonly readBytes: (absoluteBegin: number, absoluteEnd: number) => Uint8Array,
    readonly source: string,
  ) {}

  /** `__metadata__` of the file. */
  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.header.entries.keys()];
  }

  has(name: string): boolean {
    return this.header.entries.has(name);
  }

  /** The header entry of `name`; throws naming the file and tensor when absent. */
  entry(name: string): SafetensorsEntry {
    const entry = this.header.entries.get(name);
    if (!entry) throw new SafetensorsError(this.source, `no tensor named '${name}'`);
    return entry;
  }

  /** Raw little-endian bytes of one tensor. */
  bytes(name: string): Uint8Array {
    const entry = this.entry(name);
    return this.readBytes(this.header.dataOffset + entry.begin, this.header.dataOffset + entry.end);
  }

  /** Raw values in the tensor's own dtype. */
  raw(name: string): SafetensorsTypedArray {
    return decodeRaw(this.entry(name).dtype, this.bytes(name));
  }

  /** Values as float32, whatever the stored dtype. */
  float32(name: string): Float32Array {
    const entry = this.entry(name);
    return toFloat32(entry.dtype, this.raw(name));
  }

  /**
   * A tf.Tensor of `name` in the stored layout: floats become float32, I32/I64/I16/I8/U8 int32,
   * BOOL bool. The caller owns (disposes) it.
   */
  tensor(name: string): tf.Tensor {
    const entry = this.entry(name);
    const raw = this.raw(name);
    if (entry.dtype === 'BOOL') return tf.tensor(raw as Uint8Array, entry.shape, 'bool');
    if (entry.dtype.startsWith('I') || entry.dtype === 'U8') {
      const ints =
        entry.dtype === 'I64'
          ? Int32Array.from(raw as BigInt64Array, (v) => Number(v))
          : Int32Array.from(raw as Int32Array);
      return tf.tensor(ints, entry.shape, 'int32');
    }
    return tf.tensor(toFloat32(entry.dtype, raw), entry.shape, 'float32');
  }
}

/** Parses a whole safetensors file held in memory. `source` names it in errors. */
export function readSafetensors(bytes: Uint8Array, options: SafetensorsParseOptions = {}): SafetensorsFile {
  const source = options.source ?? 'safetensors';
  const headerLength = readHeaderLength(bytes, options);
  if (bytes.byteLength < 8 + headerLength) {
    throw new SafetensorsError(
      source,
      `header length says ${headerLength} bytes but only ${bytes.byteLength - 8} follow (file truncated?)`,
    );
  }
  const header = parseHeaderJson(
    bytes.subarray(8, 8 + headerLength),
    bytes.byteLength - 8 - headerLength,
    options,
  );
  return new SafetensorsFile(header, (begin, end) => bytes.subarray(begin, end), source);
}

/** A tensor to write: values in row-major order with their dtype and shape. */
export interface SafetensorsInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  /** Values; F16/BF16 are given as raw 16-bit words (Uint16Array) or as floats to be converted. */
  data: ArrayLike<number> | BigInt64Array | Uint8Array;
}

function encodeValues(name: string, input: SafetensorsInput): Uint8Array {
  const count = input.shape.reduce((a, b) => a * b, 1);
  if (input.data.length !== count) {
    throw new Error(
      `writeSafetensors: tensor '${name}' has ${input.data.length} values but shape [${input.shape.join(', ')}] needs ${count}`,
    );
  }
  const data = input.data;
  let out: ArrayBufferView;
  switch (input.dtype) {
    case 'F64':
      out = Float64Array.from(data as ArrayLike<number>);
      break;
    case 'F32':
      out = Float32Array.from(data as ArrayLike<number>);
      break;
    case 'F16':
      out =
        data instanceof Uint16Array
          ? data
          : Uint16Array.from(data as ArrayLike<number>, (v) => numberToFloat16Bits(v));
      break;
    case 'BF16':
      out =
        data instanceof Uint16Array
          ? data
          : Uint16Array.from(data as ArrayLike<number>, (v) => {
              const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
              return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
            });
      break;
    case 'I64':
      out =
        data instanceof BigInt64Array
          ? data
          : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
      break;
    case 'I32':
      out = Int32Array.from(data as ArrayLike<number>);
      break;
    case 'I16':
      out = Int16Array.from(data as ArrayLike<number>);
      break;
    case 'I8':
      out = Int8Array.from(data as ArrayLike<number>);
      break;
    case 'U8':
    case 'BOOL':
      out = Uint8Array.from(data as ArrayLike<number>);
      break;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Serialises tensors (in the given key order) and string metadata to safetensors bytes. The header
 * is padded with spaces to a multiple of 8 bytes so every tensor is 8-byte aligned.
 */
export function writeSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, input] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new Error("writeSafetensors: '__metadata__' is not a tensor name");
    const bytes = encodeValues(name, input);
    header[name] = {
      dtype: input.dtype,
      shape: [...input.shape],
      data_offsets: [offset, offset + bytes.byteLength],
    };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const withPad = new Uint8Array(padded).fill(0x20);
    withPad.set(json);
    json = withPad;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let position = 8 + json.byteLength;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.byteLength;
  }
  return out;
}
