import { deflateSync, inflateSync } from 'fflate';
import { copyBytes } from './copy-bytes';
import { crc32 } from './crc32';

/**
 * A small zip reader and writer (stored and deflated entries, zip64), enough for numpy `.npz`
 * archives. Reading checks every offset against the archive size and every entry's CRC-32.
 */

/** Thrown for every malformed or unsupported zip archive; `source` names the archive. */
export class ZipError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'ZipError';
  }
}

/** Compression of one entry. */
export type ZipMethod = 'stored' | 'deflated';

/** One entry of an archive being read. */
export interface ZipEntry {
  name: string;
  method: ZipMethod;
  /** Bytes of the entry as stored in the archive. */
  compressedSize: number;
  /** Bytes of the entry once decompressed. */
  uncompressedSize: number;
  crc32: number;
  /** Decompresses the entry and verifies its size and CRC-32; returns new bytes. */
  read(): Uint8Array;
}

/** Options of {@link readZip}. */
export interface ZipReadOptions {
  /** Name of the archive, used in error messages. Default `'zip'`. */
  source?: string;
}

/** An entry to write. */
export interface ZipWriteEntry {
  /** Path inside the archive, e.g. `'mu.npy'`. */
  name: string;
  data: Uint8Array;
}

/** Options of {@link writeZip}. */
export interface ZipWriteOptions {
  /** Deflate entries (like `np.savez_compressed`) instead of storing them. Default false. */
  compress?: boolean;
  /** Deflate level 1 (fast) to 9 (small). Default 6. */
  level?: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** Write zip64 records even for small archives (numpy does so for every entry). Default false. */
  forceZip64?: boolean;
}

const SIGNATURE = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  zip64End: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;
const METHOD_CODE: Readonly<Record<ZipMethod, number>> = { stored: 0, deflated: 8 };
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const ZIP64_EXTRA_ID = 0x0001;
/** 1980-01-01 00:00, the earliest DOS date: fixed so that equal inputs give equal archives. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
/** Deflate cannot expand data by more than about 1032:1, so larger size claims are corrupt. */
const MAX_DEFLATE_RATIO = 1032;

class ByteReader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  require(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > this.bytes.byteLength) {
      throw new ZipError(
        this.source,
        `${what} at offset ${offset} (${length} bytes) runs past the end of the ${this.bytes.byteLength}-byte archive (truncated?)`,
      );
    }
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, what: string): number {
    const value = this.view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ZipError(this.source, `${what} ${value} is too large`);
    }
    return Number(value);
  }
}

interface EndRecord {
  entryCount: number;
  directoryOffset: number;
  directorySize: number;
}

function findEndRecord(reader: ByteReader, source: string): EndRecord {
  const { bytes } = reader;
  const lastStart = bytes.byteLength - 22;
  const firstStart = Math.max(0, lastStart - U16_MAX);
  let found = -1;
  for (let i = lastStart; i >= firstStart; i--) {
    if (reader.u32(i) === SIGNATURE.end && i + 22 + reader.u16(i + 20) === bytes.byteLength) {
      found = i;
      break;
    }
  }
  if (found < 0) {
    throw new ZipError(
      source,
      bytes.byteLength < 22
        ? `${bytes.byteLength} bytes is too short for a zip archive`
        : 'no end-of-central-directory record: not a zip archive, or truncated',
    );
  }
  if (reader.u16(found + 4) !== 0 || reader.u16(found + 6) !== 0) {
    throw new ZipError(source, 'multi-volume zip archives are not supported');
  }
  const record: EndRecord = {
    entryCount: reader.u16(found + 10),
    directorySize: reader.u32(found + 12),
    directoryOffset: reader.u32(found + 16),
  };
  const locator = found - 20;
  if (locator >= 0 && reader.u32(locator) === SIGNATURE.zip64Locator) {
    const zip64End = reader.u64(locator + 8, 'zip64 end record offset');
    reader.require(zip64End, 56, 'zip64 end-of-central-directory record');
    if (reader.u32(zip64End) !== SIGNATURE.zip64End) {
      throw new ZipError(source, `no zip64 end-of-central-directory record at offset ${zip64End}`);
    }
    record.entryCount = reader.u64(zip64End + 32, 'zip64 entry count');
    record.directorySize = reader.u64(zip64End + 40, 'zip64 central directory size');
    record.directoryOffset = reader.u64(zip64End + 48, 'zip64 central directory offset');
  }
  reader.require(record.directoryOffset, record.directorySize, 'central directory');
  return record;
}

interface Zip64Fields {
  uncompressedSize: number;
  compressedSize: number;
  localOffset: number;
}

function applyZip64Extra(
  reader: ByteReader,
  extraStart: number,
  extraLength: number,
  fields: Zip64Fields,
  name: string,
): void {
  let position = extraStart;
  const end = extraStart + extraLength;
  while (position + 4 <= end) {
    const id = reader.u16(position);
    const size = reader.u16(position + 2);
    if (id === ZIP64_EXTRA_ID) {
      let field = position + 4;
      const fieldEnd = Math.min(field + size, end);
      const take = (what: string): number => {
        if (field + 8 > fieldEnd) {
          throw new ZipError(reader.source, `entry '${name}': zip64 extra field is too short`);
        }
        const value = reader.u64(field, `entry '${name}' ${what}`);
        field += 8;
        return value;
      };
      if (fields.uncompressedSize === U32_MAX) fields.uncompressedSize = take('size');
      if (fields.compressedSize === U32_MAX) fields.compressedSize = take('compressed size');
      if (fields.localOffset === U32_MAX) fields.localOffset = take('offset');
      return;
    }
    position += 4 + size;
  }
}

function decodeName(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Lists the entries of a zip archive held in memory. Entries are decompressed lazily by
 * {@link ZipEntry.read}. Directory entries (names ending in `/`) are skipped.
 */
export function readZip(bytes: Uint8Array, options: ZipReadOptions = {}): ZipEntry[] {
  const source = options.source ?? 'zip';
  const reader = new ByteReader(bytes, source);
  const end = findEndRecord(reader, source);
  const entries: ZipEntry[] = [];
  let position = end.directoryOffset;
  const directoryEnd = end.directoryOffset + end.directorySize;
  for (let index = 0; index < end.entryCount; index++) {
    if (position + 46 > directoryEnd) {
      throw new ZipError(
        source,
        `central directory ends after ${index} of ${end.entryCount} entries (truncated or corrupt)`,
      );
    }
    if (reader.u32(position) !== SIGNATURE.central) {
      throw new ZipError(source, `bad central directory entry signature at offset ${position}`);
    }
    const flags = reader.u16(position + 8);
    const methodCode = reader.u16(position + 10);
    const crc = reader.u32(position + 16);
    const nameLength = reader.u16(position + 28);
    const extraLength = reader.u16(position + 30);
    const commentLength = reader.u16(position + 32);
    const recordLength = 46 + nameLength + extraLength + commentLength;
    reader.require(position, recordLength, `central directory entry ${index}`);
    const name = decodeName(bytes.subarray(position + 46, position + 46 + nameLength));
    const fields: Zip64Fields = {
      compressedSize: reader.u32(position + 20),
      uncompressedSize: reader.u32(position + 24),
      localOffset: reader.u32(position + 42),
    };
    applyZip64Extra(reader, position + 46 + nameLength, extraLength, fields, name);
    position += recordLength;
    if (name.endsWith('/')) continue;
    if (flags & FLAG_ENCRYPTED) throw new ZipError(source, `entry '${name}' is encrypted`);
    const method = (Object.keys(METHOD_CODE) as ZipMethod[]).find((m) => METHOD_CODE[m] === methodCode);
    if (!method) {
      throw new ZipError(
        source,
        `entry '${name}' uses compression method ${methodCode} (only stored (0) and deflate (8) are supported)`,
      );
    }
    entries.push(makeEntry(reader, source, name, method, crc, fields));
  }
  return entries;
}

function makeEntry(
  reader: ByteReader,
  source: string,
  name: string,
  method: ZipMethod,
  crc: number,
  fields: Zip64Fields,
): ZipEntry {
  const { localOffset, compressedSize, uncompressedSize } = fields;
  reader.require(localOffset, 30, `entry '${name}': local header`);
  if (reader.u32(localOffset) !== SIGNATURE.local) {
    throw new ZipError(source, `entry '${name}': no local header at offset ${localOffset}`);
  }
  const dataStart = localOffset + 30 + reader.u16(localOffset + 26) + reader.u16(localOffset + 28);
  reader.require(dataStart, compressedSize, `entry '${name}': data`);
  if (method === 'deflated' && uncompressedSize > compressedSize * MAX_DEFLATE_RATIO + 1024) {
    throw new ZipError(
      source,
      `entry '${name}' claims ${uncompressedSize} bytes from ${compressedSize} compressed bytes, more than deflate can produce (corrupt archive)`,
    );
  }
  if (method === 'stored' && compressedSize !== uncompressedSize) {
    throw new ZipError(
      source,
      `entry '${name}' is stored but its sizes differ (${compressedSize} vs ${uncompressedSize})`,
    );
  }
  return {
    name,
    method,
    compressedSize,
    uncompressedSize,
    crc32: crc,
    read(): Uint8Array {
      const stored = reader.bytes.subarray(dataStart, dataStart + compressedSize);
      let data: Uint8Array;
      if (method === 'stored') {
        data = copyBytes(stored);
      } else {
        try {
          data = inflateSync(stored, { out: new Uint8Array(uncompressedSize) });
        } catch (error) {
          throw new ZipError(source, `entry '${name}': corrupt deflate data (${(error as Error).message})`);
        }
      }
      if (data.byteLength !== uncompressedSize) {
        throw new ZipError(
          source,
          `entry '${name}' decompressed to ${data.byteLength} bytes, but the directory says ${uncompressedSize}`,
        );
      }
      const actual = crc32(data);
      if (actual !== crc) {
        throw new ZipError(
          source,
          `entry '${name}' fails its CRC-32 check (stored ${hex(crc)}, computed ${hex(actual)}): corrupt archive`,
        );
      }
      return data;
    },
  };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

class ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.byteLength;
  }

  record(size: number, fill: (view: DataView) => void): void {
    const bytes = new Uint8Array(size);
    fill(new DataView(bytes.buffer));
    this.push(bytes);
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let position = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, position);
      position += chunk.byteLength;
    }
    return out;
  }
}

function zip64Extra(values: number[]): Uint8Array {
  const extra = new Uint8Array(4 + 8 * values.length);
  const view = new DataView(extra.buffer);
  view.setUint16(0, ZIP64_EXTRA_ID, true);
  view.setUint16(2, 8 * values.length, true);
  for (const [i, value] of values.entries()) view.setBigUint64(4 + 8 * i, BigInt(value), true);
  return extra;
}

/** Writes a zip archive in memory, entries in the given order, with a fixed (1980) timestamp. */
export function writeZip(entries: readonly ZipWriteEntry[], options: ZipWriteOptions = {}): Uint8Array {
  const method: ZipMethod = options.compress ? 'deflated' : 'stored';
  const writer = new ByteWriter();
  const central = new ByteWriter();
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.name.length === 0) throw new Error('writeZip: entry names must not be empty');
    if (seen.has(entry.name)) throw new Error(`writeZip: duplicate entry name '${entry.name}'`);
    seen.add(entry.name);
    const name = new TextEncoder().encode(entry.name);
    if (name.byteLength > U16_MAX) throw new Error(`writeZip: entry name '${entry.name}' is too long`);
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : FLAG_UTF8;
    const crc = crc32(entry.data);
    const stored =
      method === 'deflated' ? deflateSync(entry.data, { level: options.level ?? 6 }) : entry.data;
    const localOffset = writer.length;
    const sizesNeed64 =
      options.forceZip64 === true || entry.data.byteLength >= U32_MAX || stored.byteLength >= U32_MAX;
    const version = sizesNeed64 || localOffset >= U32_MAX ? 45 : 20;
    const localExtra = sizesNeed64
      ? zip64Extra([entry.data.byteLength, stored.byteLength])
      : new Uint8Array(0);
    writer.record(30, (view) => {
      view.setUint32(0, SIGNATURE.local, true);
      view.setUint16(4, version, true);
      view.setUint16(6, flags, true);
      view.setUint16(8, METHOD_CODE[method], true);
      view.setUint16(10, 0, true);
      view.setUint16(12, DOS_DATE, true);
      view.setUint32(14, crc, true);
      view.setUint32(18, sizesNeed64 ? U32_MAX : stored.byteLength, true);
      view.setUint32(22, sizesNeed64 ? U32_MAX : entry.data.byteLength, true);
      view.setUint16(26, name.byteLength, true);
      view.setUint16(28, localExtra.byteLength, true);
    });
    writer.push(name);
    writer.push(localExtra);
    writer.push(stored);

    const offsetNeeds64 = options.forceZip64 === true || localOffset >= U32_MAX;
    const centralValues = [
      ...(sizesNeed64 ? [entry.data.byteLength, stored.byteLength] : []),
      ...(offsetNeeds64 ? [localOffset] : []),
    ];
    const centralExtra = centralValues.length > 0 ? zip64Extra(centralValues) : new Uint8Array(0);
    central.record(46, (view) => {
      view.setUint32(0, SIGNATURE.central, true);
      view.setUint16(4, (3 << 8) | version, true);
      view.setUint16(6, version, true);
      view.setUint16(8, flags, true);
      view.setUint16(10, METHOD_CODE[method], true);
      view.setUint16(12, 0, true);
      view.setUint16(14, DOS_DATE, true);
      view.setUint32(16, crc, true);
      view.setUint32(20, sizesNeed64 ? U32_MAX : stored.byteLength, true);
      view.setUint32(24, sizesNeed64 ? U32_MAX : entry.data.byteLength, true);
      view.setUint16(28, name.byteLength, true);
      view.setUint16(30, centralExtra.byteLength, true);
      view.setUint32(38, (0o100644 << 16) >>> 0, true);
      view.setUint32(42, offsetNeeds64 ? U32_MAX : localOffset, true);
    });
    central.push(name);
    central.push(centralExtra);
  }
  const directoryOffset = writer.length;
  const directorySize = central.length;
  const directory = central.concat();
  writer.push(directory);
  const needs64 =
    options.forceZip64 === true ||
    entries.length >= U16_MAX ||
    directoryOffset >= U32_MAX ||
    directorySize >= U32_MAX;
  if (needs64) {
    const zip64EndOffset = writer.length;
    writer.record(56, (view) => {
      view.setUint32(0, SIGNATURE.zip64End, true);
      view.setBigUint64(4, 44n, true);
      view.setUint16(12, (3 << 8) | 45, true);
      view.setUint16(14, 45, true);
      view.setBigUint64(24, BigInt(entries.length), true);
      view.setBigUint64(32, BigInt(entries.length), true);
      view.setBigUint64(40, BigInt(directorySize), true);
      view.setBigUint64(48, BigInt(directoryOffset), true);
    });
    writer.record(20, (view) => {
      view.setUint32(0, SIGNATURE.zip64Locator, true);
      view.setBigUint64(8, BigInt(zip64EndOffset), true);
      view.setUint32(16, 1, true);
    });
  }
  writer.record(22, (view) => {
    view.setUint32(0, SIGNATURE.end, true);
    view.setUint16(8, needs64 ? U16_MAX : entries.length, true);
    view.setUint16(10, needs64 ? U16_MAX : entries.length, true);
    view.setUint32(12, needs64 ? U32_MAX : directorySize, true);
    view.setUint32(16, needs64 ? U32_MAX : directoryOffset, true);
  });
  return writer.concat();
}
