import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type NpyArray, NpyError, npyArray, npyToFloat32, npyToFloat64, readNpy, writeNpy } from './npy';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));

/** A .npy file with a hand-written header (version 1.0, padded like numpy) and data bytes. */
function craft(dict: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = `${dict.padEnd(total - 11, ' ')}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, total);
  return out;
}

function expectError(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    readNpy(bytes, { source: 'bad.npy' });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(NpyError);
  expect((caught as Error).message).toMatch(/^bad\.npy: /);
  expect((caught as Error).message).toMatch(message);
}

describe('readNpy', () => {
  it('reads version 2.0 and 3.0 headers written by numpy', () => {
    expect(readNpy(fixture('v2_header.npy'))).toEqual({
      dtype: 'i8',
      shape: [3],
      data: new BigInt64Array([0n, 1n, 2n]),
    });
    const v3 = readNpy(fixture('v3_header.npy'));
    expect(v3.dtype).toBe('f8');
    expect([...v3.data]).toEqual([0, 1 / 7, 2 / 7]);
  });

  it('parses header literals with odd spacing, double quotes and long-int suffixes', () => {
    const data = new Uint8Array(new Int32Array([1, 2, 3, 4]).buffer);
    const array = readNpy(craft(`{ "shape" : (2L,2L) ,"descr":"<i4",'fortran_order':False}`, data));
    expect(array).toEqual({ dtype: 'i4', shape: [2, 2], data: new Int32Array([1, 2, 3, 4]) });
  });

  it('transposes Fortran-ordered data to C order', () => {
    // Column-major [[1, 2, 3], [4, 5, 6]] is stored as 1 4 2 5 3 6.
    const data = new Uint8Array(new Float64Array([1, 4, 2, 5, 3, 6]).buffer);
    const array = readNpy(craft(`{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }`, data));
    expect([...array.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects malformed and unsupported arrays, each with its own message', () => {
    const four = new Uint8Array(4);
    expectError(new Uint8Array([1, 2, 3]), /not a \.npy array \(missing the \\x93NUMPY magic\)/);
    const v9 = craft(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }`, four);
    v9[6] = 9;
    expectError(v9, /format version 9\.0 is not supported/);
    expectError(
      craft(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }`, four).subarray(0, 40),
      /header length says \d+ bytes but only 30 follow/,
    );
    expectError(
      craft(`{'descr': '|O', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8)),
      /object array, which needs pickle; refused/,
    );
    expectError(
      craft(`{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8)),
      /dtype '<c8' is not supported/,
    );
    expectError(
      craft(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }`, four),
      /structured dtypes/,
    );
    expectError(craft(`{'descr': '<f4', 'shape': (1,), }`, four), /header lacks the 'fortran_order' key/);
    expectError(
      craft(`{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }`, four),
      /'fortran_order' must be True or False/,
    );
    expectError(
      craft(`{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }`, four),
      /'shape' must be a tuple of non-negative integers/,
    );
    expectError(
      craft(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }`, four),
      /f4 shape \(2\) needs 8 data bytes but only 4 are present/,
    );
    expectError(
      craft(`{'descr': '<f4', 'fortran_order': False, 'shape': (), }`, new Uint8Array(6)),
      /2 unexpected bytes after the 4 data bytes/,
    );
    expectError(
      craft(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,) `, four),
      /header is not a valid Python literal: expected ',' or '}'/,
    );
    expectError(craft(`{'descr': '<f4'} junk`, four), /unexpected text after the header dict/);
    expectError(craft(`[1, 2]`), /header must be a dict/);
  });
});

describe('writeNpy', () => {
  it('round-trips every dtype, 0-d and empty arrays', () => {
    const arrays: NpyArray[] = [
      npyArray(new Float32Array([1.5, -0, Number.NaN]), [3]),
      npyArray(new Float64Array([Math.PI, 5e-324]), [2, 1]),
      npyArray(new Int8Array([-128, 127])),
      npyArray(new Int16Array([-32768, 32767])),
      npyArray(new Int32Array([-1, 7])),
      npyArray(new BigInt64Array([-(2n ** 63n), 5n])),
      npyArray(new Uint8Array([0, 255])),
      npyArray(new Uint16Array([65535])),
      npyArray(new Uint32Array([4294967295])),
      npyArray(new BigUint64Array([2n ** 64n - 1n])),
      npyArray(new Uint16Array([0x3c00, 0x7c00]), [2], 'f2'),
      npyArray(new Uint8Array([1, 0, 1, 1]), [2, 2], 'b1'),
      npyArray(new Float64Array([2.5]), []),
      npyArray(new Float32Array(0), [0, 3]),
    ];
    for (const array of arrays) {
      const bytes = writeNpy(array);
      expect(bytes.byteLength % 64).toBe(array.data.byteLength % 64);
      const back = readNpy(bytes);
      expect(back.dtype).toBe(array.dtype);
      expect(back.shape).toEqual(array.shape);
      expect(
        Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(
          Buffer.from(array.data.buffer),
        ),
      ).toBe(true);
    }
  });

  it('writes numpy-style headers (1-tuples, 0-d, 1-byte dtypes without byte order)', () => {
    const header = (array: NpyArray) => new TextDecoder().decode(writeNpy(array).subarray(10, 80)).trimEnd();
    expect(header(npyArray(new Float32Array(3)))).toBe(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
    );
    expect(header(npyArray(new Float64Array(1), []))).toBe(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
    );
    expect(header(npyArray(new Uint8Array(4), [2, 2], 'b1'))).toBe(
      "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }",
    );
  });

  it('uses a version 2.0 header when the dict exceeds 65535 bytes', () => {
    const shape = [...new Array<number>(25_000).fill(1), 2];
    const bytes = writeNpy(npyArray(new Float32Array([1, 2]), shape));
    expect(bytes[6]).toBe(2);
    expect((bytes.byteLength - 8) % 64).toBe(0);
    expect(readNpy(bytes).shape).toEqual(shape);
  });

  it('rejects arrays whose data does not match dtype or shape', () => {
    expect(() => writeNpy({ dtype: 'f8', shape: [2], data: new Float32Array(2) })).toThrow(
      /writeNpy: dtype 'f8' needs a Float64Array, got Float32Array/,
    );
    expect(() => writeNpy({ dtype: 'f4', shape: [3], data: new Float32Array(2) })).toThrow(
      /writeNpy: 2 values do not fill shape \[3\] \(3\)/,
    );
    expect(() => writeNpy({ dtype: 'x9' as 'f4', shape: [1], data: new Float32Array(1) })).toThrow(
      /writeNpy: unknown dtype 'x9'/,
    );
  });
});

describe('npyToFloat64 / npyToFloat32', () => {
  it('converts every dtype', () => {
    expect([...npyToFloat64(npyArray(new BigInt64Array([-3n, 4n])))]).toEqual([-3, 4]);
    expect([...npyToFloat64(npyArray(new Uint16Array([0x3c00, 0xc100]), [2], 'f2'))]).toEqual([1, -2.5]);
    expect([...npyToFloat32(npyArray(new Float64Array([0.1])))]).toEqual([Math.fround(0.1)]);
    const f8 = new Float64Array([1]);
    expect(npyToFloat64(npyArray(f8))).toBe(f8);
  });
});
