/** Options of {@link writeStringListPickle}. */
export interface StringListPickleOptions {
  /**
   * Pickle protocol: 0 (text), 2 (Python 2's binary format, what DF-GAN's files use) or 4 (Python 3.8+'s
   * default, framed). Default 2.
   */
  protocol?: 0 | 2 | 4;
  /**
   * `'str'` writes Python 2 `str` items (byte strings, as DF-GAN's Python 2 files hold); `'unicode'`
   * writes Python 3 `str` items. Protocol 4 always writes Python 3 `str`. Default `'str'` for
   * protocols 0 and 2.
   */
  itemType?: 'str' | 'unicode';
}

const encoder = new TextEncoder();

/**
 * Writes a Python list of strings as a pickle that Python's `pickle.load` reads (byte-identical to
 * `pickle.dump` for lists under 64 KiB, where Python writes a single frame), so
 * `train/filenames.pickle` / `test/filenames.pickle` split files can be made without Python.
 *
 * @param items the list's strings.
 * @returns the pickle's bytes.
 */
export function writeStringListPickle(
  items: readonly string[],
  options: StringListPickleOptions = {},
): Uint8Array {
  const protocol = options.protocol ?? 2;
  if (protocol === 0) return writeProtocol0(items, options.itemType ?? 'str');
  if (protocol === 2) return writeProtocol2(items, options.itemType ?? 'str');
  if (protocol === 4) return writeProtocol4(items);
  throw new Error(`writeStringListPickle: options.protocol must be 0, 2 or 4, got ${String(protocol)}`);
}

class ByteWriter {
  private chunks: number[] = [];

  byte(...values: number[]): void {
    this.chunks.push(...values);
  }

  uint32(value: number): void {
    this.chunks.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  uint64(value: number): void {
    this.uint32(value >>> 0);
    this.uint32(Math.floor(value / 0x100000000));
  }

  bytes(values: Uint8Array): void {
    for (const value of values) this.chunks.push(value);
  }

  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.chunks.push(text.charCodeAt(i));
  }

  get length(): number {
    return this.chunks.length;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function writeProtocol0(items: readonly string[], itemType: 'str' | 'unicode'): Uint8Array {
  const out = new ByteWriter();
  out.ascii('(lp0\n');
  items.forEach((item, index) => {
    if (itemType === 'unicode') {
      out.ascii('V');
      out.ascii(rawUnicodeEscape(item));
    } else {
      out.ascii('S');
      out.ascii(python2Repr(encoder.encode(item)));
    }
    out.ascii(`\np${index + 1}\na`);
  });
  out.ascii('.');
  return out.toBytes();
}

function writeProtocol2(items: readonly string[], itemType: 'str' | 'unicode'): Uint8Array {
  const out = new ByteWriter();
  let memo = 0;
  const put = () => {
    if (memo < 256) out.byte(0x71, memo);
    else {
      out.byte(0x72);
      out.uint32(memo);
    }
    memo++;
  };
  out.byte(0x80, 2, 0x5d);
  put();
  // Python batches APPENDS in groups of 1000 items; a single item is written with APPEND.
  for (let start = 0; start < items.length; start += 1000) {
    const batch = items.slice(start, start + 1000);
    if (batch.length > 1) out.byte(0x28);
    for (const item of batch) {
      const encoded = encoder.encode(item);
      if (itemType === 'unicode') {
        out.byte(0x58);
        out.uint32(encoded.length);
      } else if (encoded.length < 256) {
        out.byte(0x55, encoded.length);
      } else {
        out.byte(0x54);
        out.uint32(encoded.length);
      }
      out.bytes(encoded);
      put();
    }
    out.byte(batch.length > 1 ? 0x65 : 0x61);
  }
  out.byte(0x2e);
  return out.toBytes();
}

function writeProtocol4(items: readonly string[]): Uint8Array {
  const body = new ByteWriter();
  body.byte(0x5d, 0x94);
  for (let start = 0; start < items.length; start += 1000) {
    const batch = items.slice(start, start + 1000);
    if (batch.length > 1) body.byte(0x28);
    for (const item of batch) {
      const encoded = encoder.encode(item);
      if (encoded.length < 256) body.byte(0x8c, encoded.length);
      else {
        body.byte(0x58);
        body.uint32(encoded.length);
      }
      body.bytes(encoded);
      body.byte(0x94);
    }
    body.byte(batch.length > 1 ? 0x65 : 0x61);
  }
  body.byte(0x2e);
  const payload = body.toBytes();
  const out = new ByteWriter();
  out.byte(0x80, 4);
  // Python frames payloads of at least 4 bytes; the frame spans everything after its own header.
  if (payload.length >= 4) {
    out.byte(0x95);
    out.uint64(payload.length);
  }
  out.bytes(payload);
  return out.toBytes();
}

function rawUnicodeEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code === 0x5c || code === 0x0a || code > 0xff) {
      out +=
        code > 0xffff
          ? `\\U${code.toString(16).padStart(8, '0')}`
          : `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += char;
    }
  }
  return out;
}

/** Python 2's `repr(str)`: single quotes unless the text has a single quote and no double quote. */
function python2Repr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = quote;
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out + quote;
}
