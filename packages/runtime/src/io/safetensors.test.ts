import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { float16BitsToNumber } from './half-precision';
import {
  readSafetensors,
  SAFETENSORS_DTYPE_SIZE,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsInput,
  writeSafetensors,
} from './safetensors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Builds a file from a header (object or raw text) and data bytes, optionally lying about the length. */
function craft(header: unknown, data: Uint8Array | number = 0, headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.byteLength + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(body, 8 + json.byteLength);
  return out;
}

function expectError(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    readSafetensors(bytes, { source: 'bad.safetensors' });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as Error).message).toMatch(/^bad\.safetensors: /);
  expect((caught as Error).message).toMatch(message);
}

const f32 = (name: string, begin: number, count = 6, shape: number[] = [2, 3]) => ({
  [name]: { dtype: 'F32', shape, data_offsets: [begin, begin + count * 4] },
});

describe('writeSafetensors / readSafetensors round trip', () => {
  const inputs: Record<string, SafetensorsInput> = {
    u8: { dtype: 'U8', shape: [3], data: [0, 7, 255] },
    f64: { dtype: 'F64', shape: [2, 2], data: [Math.PI, -1e300, 5e-324, Number.NEGATIVE_INFINITY] },
    f32: {
      dtype: 'F32',
      shape: [2, 3],
      data: new Float32Array([1.5, -0, 1e-45, Number.NaN, Number.POSITIVE_INFINITY, 3.4028234663852886e38]),
    },
    f16: { dtype: 'F16', shape: [5], data: [1, 1 + 2 ** -11, 65520, 2 ** -24, -2.5] },
    f16raw: { dtype: 'F16', shape: [2], data: new Uint16Array([0x7e00, 0x8001]) },
    bf16: { dtype: 'BF16', shape: [4], data: [1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -3.4028234663852886e38] },
    i64: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 42n]) },
    i64numbers: { dtype: 'I64', shape: [2], data: [-5, 2 ** 53 - 1] },
    i32: { dtype: 'I32', shape: [3], data: [-2147483648, 0, 2147483647] },
    i16: { dtype: 'I16', shape: [2], data: [-32768, 32767] },
    i8: { dtype: 'I8', shape: [2], data: [-128, 127] },
    bool: { dtype: 'BOOL', shape: [2, 2], data: [1, 0, 5, 0] },
    scalar: { dtype: 'F32', shape: [], data: [2.25] },
    empty: { dtype: 'F32', shape: [0, 3], data: [] },
  };
  const metadata = { format: 'pt', config: JSON.stringify({ a: [1, 2] }), unicode: 'é✓' };
  const bytes = writeSafetensors(inputs, metadata);
  const file = readSafetensors(bytes, { source: 'round-trip' });

  it('keeps names in order, metadata, dtypes and shapes', () => {
    expect(file.names()).toEqual(Object.keys(inputs));
    expect(file.metadata).toEqual(metadata);
    for (const [name, input] of Object.entries(inputs)) {
      expect(file.entry(name).dtype).toBe(input.dtype);
      expect(file.entry(name).shape).toEqual([...input.shape]);
    }
  });

  it('aligns the header to 8 bytes and every tensor to its element size', () => {
    expect(file.header.dataOffset % 8).toBe(0);
    for (const name of file.names()) {
      const entry = file.entry(name);
      expect(entry.begin % SAFETENSORS_DTYPE_SIZE[entry.dtype]).toBe(0);
    }
  });

  it('round-trips raw values of every dtype bit-exactly', () => {
    expect([...(file.raw('u8') as Uint8Array)]).toEqual([0, 7, 255]);
    expect([...(file.raw('f64') as Float64Array)]).toEqual(inputs['f64']!.data);
    const f32 = file.raw('f32') as Float32Array;
    expect(new Uint32Array(f32.buffer, f32.byteOffset, f32.length)).toEqual(
      new Uint32Array((inputs['f32']!.data as Float32Array).buffer),
    );
    expect([...(file.raw('f16') as Uint16Array)]).toEqual([0x3c00, 0x3c00, 0x7c00, 0x0001, 0xc100]);
    expect([...(file.raw('f16raw') as Uint16Array)]).toEqual([0x7e00, 0x8001]);
    expect([...(file.raw('bf16') as Uint16Array)]).toEqual([0x3f80, 0x3f80, 0x3f82, 0xff80]);
    expect(file.raw('i64')).toEqual(inputs['i64']!.data);
    expect([...(file.raw('i64numbers') as BigInt64Array)]).toEqual([-5n, 2n ** 53n - 1n]);
    expect([...(file.raw('i32') as Int32Array)]).toEqual([-2147483648, 0, 2147483647]);
    expect([...(file.raw('i16') as Int16Array)]).toEqual([-32768, 32767]);
    expect([...(file.raw('i8') as Int8Array)]).toEqual([-128, 127]);
    expect([...(file.raw('bool') as Uint8Array)]).toEqual([1, 0, 1, 0]);
    expect([...(file.raw('scalar') as Float32Array)]).toEqual([2.25]);
    expect(file.raw('empty').length).toBe(0);
  });

  it('converts to float32 and to tf tensors with the right dtypes', () => {
    expect([...file.float32('f16')]).toEqual(
      [1, 1, Number.POSITIVE_INFINITY, 2 ** -24, -2.5].map(Math.fround),
    );
    expect(float16BitsToNumber(0x8001)).toBe(-(2 ** -24));
    expect([...file.float32('bf16')]).toEqual([1, 1, 1 + 2 ** -6, Number.NEGATIVE_INFINITY]);
    expect([...file.float32('i64')]).toEqual([-(2 ** 63), 2 ** 63, 42].map(Math.fround));
    const before = tf.memory().numTensors;
    const tensors = {
      f16: file.tensor('f16'),
      i64: file.tensor('i64numbers'),
      i8: file.tensor('i8'),
      bool: file.tensor('bool'),
      scalar: file.tensor('scalar'),
    };
    expect(tensors.f16.dtype).toBe('float32');
    expect(tensors.i64.dtype).toBe('int32');
    expect(tensors.i8.arraySync()).toEqual([-128, 127]);
    expect(tensors.bool.dtype).toBe('bool');
    expect(tensors.bool.arraySync()).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(tensors.scalar.shape).toEqual([]);
    tf.dispose(Object.values(tensors));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('returns arrays the caller owns (no aliasing of the file bytes)', () => {
    const raw = file.raw('i32') as Int32Array;
    raw[0] = 1;
    expect((file.raw('i32') as Int32Array)[0]).toBe(-2147483648);
  });

  it('writes nothing but a padded "{}" for no tensors and no metadata', () => {
    const empty = writeSafetensors({});
    expect([...empty]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(readSafetensors(empty).names()).toEqual([]);
  });

  it('rejects bad writer input with errors naming the tensor', () => {
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } })).toThrow(
      /tensor 'a' has 3 values but shape \[2, 2\] needs 4/,
    );
    expect(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [], data: [1] } })).toThrow(
      /'__metadata__' is not a tensor name/,
    );
    expect(() =>
      writeSafetensors({ a: { dtype: 'F17' as SafetensorsDtype, shape: [1], data: [1] } }),
    ).toThrow(/tensor 'a' has unknown dtype "F17"/);
    expect(() => writeSafetensors({ a: { dtype: 'I64', shape: [1], data: [0.5] } })).toThrow(
      /tensor 'a' \(I64\) holds 0.5, not a safe integer/,
    );
    expect(() => writeSafetensors({}, { n: 3 as unknown as string })).toThrow(
      /metadata 'n' must be a string/,
    );
  });
});

describe('readSafetensors rejects malformed files with a clear error for each', () => {
  const valid = writeSafetensors({
    a: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    b: { dtype: 'I64', shape: [2], data: [1, 2] },
  });

  it('too short for the length prefix', () => {
    expectError(new Uint8Array(0), /file is 0 bytes, shorter than the 8-byte header length/);
    expectError(valid.subarray(0, 5), /file is 5 bytes, shorter than the 8-byte header length/);
  });

  it('truncated inside the header, or a header length that lies', () => {
    expectError(valid.subarray(0, 30), /header length field says \d+ bytes but only 22 bytes follow it/);
    expectError(craft({}, 0, 1000n), /header length field says 1000 bytes but only 2 bytes follow it/);
  });

  it('a 100 MB (or 2^64 - 1 byte) header claim, without allocating it', () => {
    expectError(
      craft({}, 0, 100n * 1024n * 1024n),
      /claims 104857600 bytes, over the limit of 100000000 bytes/,
    );
    expectError(craft({}, 0, 2n ** 64n - 1n), /claims 18446744073709551615 bytes, over the limit/);
    expect(() => readSafetensors(craft({}, 0, 100n), { maxHeaderBytes: 50 })).toThrow(
      /over the limit of 50 bytes/,
    );
  });

  it('a header too small to be JSON', () => {
    expectError(craft('{', 0, 1n), /header length 1 is too small for a JSON object/);
  });

  it('a header that is not UTF-8, not JSON, or not an object', () => {
    const notUtf8 = craft('{}');
    notUtf8[8] = 0xff;
    expectError(notUtf8, /header is not valid UTF-8/);
    expectError(craft('{"a": '), /header is not valid JSON/);
    expectError(craft('[1, 2]'), /header JSON must be an object of tensor entries/);
    expectError(craft('"text"'), /header JSON must be an object of tensor entries/);
  });

  it('bad __metadata__', () => {
    expectError(
      craft({ __metadata__: [1] }),
      /__metadata__ must be an object of string values, got an array/,
    );
    expectError(craft({ __metadata__: 'x' }), /__metadata__ must be an object of string values, got string/);
    expectError(craft({ __metadata__: { epoch: 3 } }), /__metadata__\.epoch must be a string, got number/);
    expect(readSafetensors(craft({ __metadata__: null })).metadata).toEqual({});
  });

  it('an entry that is not an object', () => {
    expectError(craft({ a: [1, 2] }), /tensor 'a': entry must be an object with dtype, shape, data_offsets/);
  });

  it('unknown and unsupported dtypes', () => {
    expectError(
      craft({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 1] } }, 1),
      /tensor 'a': unknown dtype "Q7" \(expected one of F64, F32/,
    );
    expectError(
      craft({ a: { dtype: 'U16', shape: [1], data_offsets: [0, 2] } }, 2),
      /tensor 'a': dtype U16 is not supported/,
    );
    expectError(craft({ a: { shape: [1], data_offsets: [0, 2] } }, 2), /tensor 'a': unknown dtype undefined/);
  });

  it('bad shapes', () => {
    for (const shape of [[-1], [1.5], 'x', null, [1e300]]) {
      expectError(
        craft({ a: { dtype: 'U8', shape, data_offsets: [0, 1] } }, 1),
        /tensor 'a': shape must be an array of non-negative integers/,
      );
    }
    expectError(
      craft({ a: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] } }, 4),
      /tensor 'a': shape \[1073741824, 1073741824, 1073741824\] is too large to address/,
    );
  });

  it('bad data_offsets', () => {
    for (const offsets of [[0], [0, 1, 2], [-4, 0], ['0', '4'], null]) {
      expectError(
        craft({ a: { dtype: 'F32', shape: [1], data_offsets: offsets } }, 4),
        /tensor 'a': data_offsets must be two non-negative integers \[begin, end\]/,
      );
    }
    expectError(
      craft({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, 4),
      /tensor 'a': data_offsets \[4, 0\] end before they begin/,
    );
  });

  it('shape and dtype that disagree with the byte length', () => {
    expectError(
      craft(f32('a', 0, 5, [2, 3]), 20),
      /tensor 'a': F32 shape \[2, 3\] needs 24 bytes but data_offsets \[0, 20\] span 20/,
    );
  });

  it('offsets out of range', () => {
    expectError(
      craft({ ...f32('a', 0), ...f32('b', 1000) }, 48),
      /tensor 'b': data_offsets \[1000, 1024\] are out of range \(the data section holds 48 bytes\)/,
    );
  });

  it('a file truncated inside the data', () => {
    expectError(
      valid.subarray(0, valid.byteLength - 10),
      /file truncated: the header describes 40 bytes of tensor data but only 30 follow the header/,
    );
  });

  it('overlapping tensors', () => {
    expectError(
      craft({ ...f32('a', 0), ...f32('b', 20) }, 44),
      /tensors 'a' \[0, 24\] and 'b' \[20, 44\] overlap/,
    );
    expectError(
      craft(
        { ...f32('a', 0), ...f32('b', 0, 0, [0]), c: { dtype: 'U8', shape: [1], data_offsets: [10, 11] } },
        24,
      ),
      /overlap/,
    );
  });

  it('gaps and trailing bytes in the data section', () => {
    expectError(craft({ ...f32('a', 0), ...f32('b', 32) }, 56), /data bytes \[24, 32\) belong to no tensor/);
    expectError(craft({ ...f32('a', 8) }, 32), /data bytes \[0, 8\) belong to no tensor/);
    expectError(craft(f32('a', 0), 30), /6 trailing bytes after the last tensor/);
    expectError(craft({}, 3), /3 trailing bytes after the last tensor/);
  });

  it('names a missing tensor', () => {
    expect(() => readSafetensors(valid, { source: 'x.safetensors' }).entry('nope')).toThrow(
      /x\.safetensors: no tensor named 'nope'/,
    );
  });

  it('never crashes on random corruption: either a valid file or a SafetensorsError', () => {
    const rng = new SeededRandom(11);
    let rejected = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = valid.slice(0, trial % 3 === 0 ? rng.int(valid.byteLength + 1) : valid.byteLength);
      const flips = trial % 3 === 0 ? 0 : 1 + rng.int(3);
      for (let i = 0; i < flips && bytes.byteLength > 0; i++) bytes[rng.int(bytes.byteLength)] = rng.int(256);
      try {
        const file = readSafetensors(bytes);
        for (const name of file.names()) file.float32(name);
      } catch (error) {
        expect(error).toBeInstanceOf(SafetensorsError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});
