import * as tf from '@tensorflow/tfjs';
import { copyBytes } from './copy-bytes';
import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  toBfloat16Array,
  toFloat16Array,
} from './half-precision';

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

/** Dtypes the format defines but RATLIP.js does not read; named separately in errors. */
const UNSUPPORTED_FORMAT_DTYPES = new Set([
  'U16',
  'U32',
  'U64',
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
]);

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
  /** Entries in header (JSON key) order. */
  entries: Map<string, SafetensorsEntry>;
  /** `__metadata__`: string keys to string values (empty when absent). */
  metadata: Record<string, string>;
  /** Absolute byte offset of the data section (8 + header length). */
  dataOffset: number;
  /** Size of the data section in bytes; the tensors cover it exactly. */
  dataBytes: number;
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

/**
 * Reads the 8-byte little-endian header length from the first bytes of a file and checks it
 * against the size cap and, when `fileBytes` is given, against the file size.
 */
export function readHeaderLength(
  prefix: Uint8Array,
  options: SafetensorsParseOptions = {},
  fileBytes?: number,
): number {
  const source = options.source ?? 'safetensors';
  const available = fileBytes ?? prefix.byteLength;
  if (prefix.byteLength < 8 || available < 8) {
    throw new SafetensorsError(
      source,
      `file is ${Math.min(prefix.byteLength, available)} bytes, shorter than the 8-byte header length (truncated or not a safetensors file)`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  if (length > BigInt(max)) {
    throw new SafetensorsError(
      source,
      `header length field claims ${length} bytes, over the limit of ${max} bytes (corrupt or not a safetensors file)`,
    );
  }
  if (length < 2n) {
    throw new SafetensorsError(source, `header length ${length} is too small for a JSON object`);
  }
  const headerLength = Number(length);
  if (8 + headerLength > available) {
    throw new SafetensorsError(
      source,
      `header length field says ${headerLength} bytes but only ${available - 8} bytes follow it (file truncated, or the length lies)`,
    );
  }
  return headerLength;
}

/**
 * Parses and validates the JSON header. `headerBytes` is exactly the header (without the 8-byte
 * length prefix); `dataBytes` is the size of everything after it, so offsets can be checked
 * without reading the data. Like the reference implementation, the tensors must tile the data
 * section exactly: no overlaps, no gaps, no trailing bytes.
 */
export function parseHeaderJson(
  headerBytes: Uint8Array,
  dataBytes: number,
  options: SafetensorsParseOptions = {},
): SafetensorsHeader {
  const source = options.source ?? 'safetensors';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(source, 'header is not valid UTF-8 (corrupt or not a safetensors file)');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(source, `header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(json)) {
    throw new SafetensorsError(source, 'header JSON must be an object of tensor entries');
  }
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = validateMetadata(source, value);
      continue;
    }
    entries.set(name, validateEntry(source, name, value));
  }
  checkTiling(source, [...entries.values()], dataBytes);
  return { entries, metadata, dataOffset: 8 + headerBytes.byteLength, dataBytes };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validateMetadata(source: string, value: unknown): Record<string, string> {
  if (value === null) return {};
  if (!isPlainObject(value)) {
    throw new SafetensorsError(
      source,
      `__metadata__ must be an object of string values, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new SafetensorsError(
        source,
        `__metadata__.${key} must be a string, got ${item === null ? 'null' : typeof item}`,
      );
    }
  }
  return { ...(value as Record<string, string>) };
}

function validateEntry(source: string, name: string, value: unknown): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (!isPlainObject(value)) {
    throw new SafetensorsError(source, `${where}: entry must be an object with dtype, shape, data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPE_SIZE, dtype)) {
    const known = Object.keys(SAFETENSORS_DTYPE_SIZE).join(', ');
    if (typeof dtype === 'string' && UNSUPPORTED_FORMAT_DTYPES.has(dtype)) {
      throw new SafetensorsError(source, `${where}: dtype ${dtype} is not supported (supported: ${known})`);
    }
    throw new SafetensorsError(
      source,
      `${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${known})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(
      source,
      `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new SafetensorsError(
      source,
      `${where}: data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    throw new SafetensorsError(source, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  }
  const typed = dtype as SafetensorsDtype;
  const dims = shape as number[];
  let expected = SAFETENSORS_DTYPE_SIZE[typed];
  for (const d of dims) expected *= d;
  if (!Number.isSafeInteger(expected)) {
    throw new SafetensorsError(source, `${where}: shape [${dims.join(', ')}] is too large to address`);
  }
  if (end - begin !== expected) {
    throw new SafetensorsError(
      source,
      `${where}: ${typed} shape [${dims.join(', ')}] needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype: typed, shape: [...dims], begin, end };
}

function checkTiling(source: string, entries: SafetensorsEntry[], dataBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: SafetensorsEntry | undefined;
  let firstGap: { from: number; to: number } | undefined;
  for (const entry of sorted) {
    if (previous && entry.begin < covered) {
      throw new SafetensorsError(
        source,
        `tensors '${previous.name}' [${previous.begin}, ${previous.end}] and '${entry.name}' [${entry.begin}, ${entry.end}] overlap`,
      );
    }
    if (entry.begin > covered && !firstGap) firstGap = { from: covered, to: entry.begin };
    covered = entry.end;
    previous = entry;
  }
  if (covered > dataBytes) {
    if (firstGap) {
      const outside = sorted.find((e) => e.end > dataBytes)!;
      throw new SafetensorsError(
        source,
        `tensor '${outside.name}': data_offsets [${outside.begin}, ${outside.end}] are out of range (the data section holds ${dataBytes} bytes)`,
      );
    }
    throw new SafetensorsError(
      source,
      `file truncated: the header describes ${covered} bytes of tensor data but only ${dataBytes} follow the header (tensor '${previous!.name}' ends at ${previous!.end})`,
    );
  }
  if (firstGap) {
    throw new SafetensorsError(
      source,
      `data bytes [${firstGap.from}, ${firstGap.to}) belong to no tensor (the tensors must cover the data section without gaps)`,
    );
  }
  if (covered < dataBytes) {
    throw new SafetensorsError(
      source,
      `${dataBytes - covered} trailing bytes after the last tensor (data section is ${dataBytes} bytes, tensors cover ${covered})`,
    );
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

type TypedArrayConstructor = new (
  buffer: ArrayBuffer,
  byteOffset: number,
  length: number,
) => SafetensorsTypedArray;

const RAW_ARRAY_TYPE: Readonly<Record<SafetensorsDtype, TypedArrayConstructor>> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

/**
 * Decodes one tensor's little-endian bytes into its raw typed array. By default the bytes are
 * copied (so alignment never matters and the result never aliases the file); with `copy: false`
 * an aligned input is viewed in place.
 */
export function decodeRaw(
  dtype: SafetensorsDtype,
  bytes: Uint8Array,
  options: { copy?: boolean } = {},
): SafetensorsTypedArray {
  const size = SAFETENSORS_DTYPE_SIZE[dtype];
  const aligned = bytes.byteOffset % size === 0 && bytes.buffer instanceof ArrayBuffer;
  const source = options.copy === false && aligned ? bytes : copyBytes(bytes);
  return new RAW_ARRAY_TYPE[dtype](source.buffer as ArrayBuffer, source.byteOffset, source.byteLength / size);
}

/** Converts any numeric dtype's raw values to float32 (F16/BF16 upcast, I64 via Number). */
export function toFloat32(dtype: SafetensorsDtype, raw: SafetensorsTypedArray): Float32Array {
  if (dtype === 'F32') return raw as Float32Array;
  if (dtype === 'F16') return float16ArrayToFloat32(raw as Uint16Array);
  if (dtype === 'BF16') return bfloat16ArrayToFloat32(raw as Uint16Array);
  const out = new Float32Array(raw.length);
  if (dtype === 'I64') {
    const ints = raw as BigInt64Array;
    for (let i = 0; i < ints.length; i++) out[i] = Number(ints[i]!);
  } else {
    out.set(raw as Exclude<SafetensorsTypedArray, BigInt64Array>);
  }
  return out;
}

/**
 * Reads bytes `[absoluteBegin, absoluteEnd)` of the file. `fresh` says the returned arrays are new,
 * exclusively owned and start at offset 0 (as positioned file reads are), so they need no copy.
 */
export interface SafetensorsByteSource {
  read(absoluteBegin: number, absoluteEnd: number): Uint8Array;
  fresh: boolean;
}

/** Random access to the tensors of one safetensors file, from bytes in memory or a reader. */
export class SafetensorsFile {
  constructor(
    readonly header: SafetensorsHeader,
    private readonly byteSource: SafetensorsByteSource,
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

  /** Raw little-endian bytes of one tensor (a view into the file bytes for in-memory files). */
  bytes(name: string): Uint8Array {
    const entry = this.entry(name);
    return this.byteSource.read(this.header.dataOffset + entry.begin, this.header.dataOffset + entry.end);
  }

  /** Raw values in the tensor's own dtype, in a new array the caller owns. */
  raw(name: string): SafetensorsTypedArray {
    return decodeRaw(this.entry(name).dtype, this.bytes(name), { copy: !this.byteSource.fresh });
  }

  /** Values as float32, whatever the stored dtype, in a new array the caller owns. */
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
          : entry.dtype === 'I32'
            ? (raw as Int32Array)
            : Int32Array.from(raw as Int16Array);
      return tf.tensor(ints, entry.shape, 'int32');
    }
    return tf.tensor(toFloat32(entry.dtype, raw), entry.shape, 'float32');
  }
}

/** Parses a whole safetensors file held in memory. `source` names it in errors. */
export function readSafetensors(bytes: Uint8Array, options: SafetensorsParseOptions = {}): SafetensorsFile {
  const source = options.source ?? 'safetensors';
  const headerLength = readHeaderLength(bytes, options);
  const header = parseHeaderJson(
    bytes.subarray(8, 8 + headerLength),
    bytes.byteLength - 8 - headerLength,
    options,
  );
  return new SafetensorsFile(
    header,
    { read: (begin, end) => bytes.subarray(begin, end), fresh: false },
    source,
  );
}

/** A tensor to write: values in row-major order with their dtype and shape. */
export interface SafetensorsInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  /**
   * Values, converted to `dtype` when written. F16/BF16 take raw 16-bit words (Uint16Array) or
   * numbers to round (to nearest even); I64 takes a BigInt64Array or integers; BOOL takes 0/1.
   */
  data: ArrayLike<number> | BigInt64Array;
}

/** One tensor of a {@link SafetensorsPlan}: its place in the data section and an encoder. */
export interface SafetensorsPlannedTensor {
  name: string;
  begin: number;
  end: number;
  /** Encodes the tensor's little-endian bytes (call once; allocates one tensor's worth). */
  encode(): Uint8Array;
}

/** The layout of a file about to be written, so writers can stream one tensor at a time. */
export interface SafetensorsPlan {
  /** The 8-byte length followed by the space-padded JSON header. */
  prefix: Uint8Array;
  /** Tensors in data-section order. */
  tensors: SafetensorsPlannedTensor[];
  /** Total file size in bytes. */
  totalBytes: number;
}

function encodeValues(name: string, input: SafetensorsInput): Uint8Array {
  const data = input.data;
  let out: ArrayBufferView;
  switch (input.dtype) {
    case 'F64':
      out = data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
      break;
    case 'F32':
      out = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
      break;
    case 'F16':
      out = data instanceof Uint16Array ? data : toFloat16Array(data as ArrayLike<number>);
      break;
    case 'BF16':
      out = data instanceof Uint16Array ? data : toBfloat16Array(data as ArrayLike<number>);
      break;
    case 'I64':
      out =
        data instanceof BigInt64Array ? data : BigInt64Array.from(data as ArrayLike<number>, toBigInt(name));
      break;
    case 'I32':
      out = data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>);
      break;
    case 'I16':
      out = data instanceof Int16Array ? data : Int16Array.from(data as ArrayLike<number>);
      break;
    case 'I8':
      out = data instanceof Int8Array ? data : Int8Array.from(data as ArrayLike<number>);
      break;
    case 'U8':
      out = data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<number>);
      break;
    case 'BOOL':
      out = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
      break;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function toBigInt(name: string): (value: number) => bigint {
  return (value) => {
    if (!Number.isSafeInteger(value)) {
      throw new Error(`writeSafetensors: tensor '${name}' (I64) holds ${value}, not a safe integer`);
    }
    return BigInt(value);
  };
}

function validateInput(name: string, input: SafetensorsInput): number {
  if (name === '__metadata__') throw new Error("writeSafetensors: '__metadata__' is not a tensor name");
  if (!Object.hasOwn(SAFETENSORS_DTYPE_SIZE, input.dtype)) {
    throw new Error(
      `writeSafetensors: tensor '${name}' has unknown dtype ${JSON.stringify(input.dtype)} (expected one of ${Object.keys(SAFETENSORS_DTYPE_SIZE).join(', ')})`,
    );
  }
  if (!input.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(
      `writeSafetensors: tensor '${name}' shape must be non-negative integers, got [${input.shape.join(', ')}]`,
    );
  }
  const count = input.shape.reduce((a, b) => a * b, 1);
  if (input.data.length !== count) {
    throw new Error(
      `writeSafetensors: tensor '${name}' has ${input.data.length} values but shape [${input.shape.join(', ')}] needs ${count}`,
    );
  }
  return count * SAFETENSORS_DTYPE_SIZE[input.dtype];
}

/**
 * Lays out a file: the header keeps the given key order, the data section is ordered by
 * descending element size (stable) so every tensor is aligned to its element size, and the header
 * is padded with spaces to a multiple of 8 bytes.
 */
export function planSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata: Record<string, string> = {},
): SafetensorsPlan {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new Error(`writeSafetensors: metadata '${key}' must be a string, got ${typeof value}`);
    }
  }
  const named = Object.entries(tensors).map(([name, input]) => ({
    name,
    input,
    byteLength: validateInput(name, input),
  }));
  const dataOrder = [...named].sort(
    (a, b) => SAFETENSORS_DTYPE_SIZE[b.input.dtype] - SAFETENSORS_DTYPE_SIZE[a.input.dtype],
  );
  const offsets = new Map<string, [number, number]>();
  let offset = 0;
  for (const { name, byteLength } of dataOrder) {
    offsets.set(name, [offset, offset + byteLength]);
    offset += byteLength;
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  for (const { name, input } of named) {
    header[name] = { dtype: input.dtype, shape: [...input.shape], data_offsets: offsets.get(name) };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const paddedLength = Math.ceil(json.byteLength / 8) * 8;
  const prefix = new Uint8Array(8 + paddedLength).fill(0x20, 8 + json.byteLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(paddedLength), true);
  prefix.set(json, 8);
  return {
    prefix,
    tensors: dataOrder.map(({ name, input }) => {
      const [begin, end] = offsets.get(name)!;
      return { name, begin, end, encode: () => encodeValues(name, input) };
    }),
    totalBytes: prefix.byteLength + offset,
  };
}

/**
 * Serialises tensors and string metadata to safetensors bytes in memory (see
 * {@link planSafetensors} for the layout). For large files on disk use `saveSafetensorsFile` from
 * `@ratlip/runtime/node`, which streams one tensor at a time.
 */
export function writeSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const plan = planSafetensors(tensors, metadata);
  const out = new Uint8Array(plan.totalBytes);
  out.set(plan.prefix);
  for (const tensor of plan.tensors) out.set(tensor.encode(), plan.prefix.byteLength + tensor.begin);
  return out;
}
