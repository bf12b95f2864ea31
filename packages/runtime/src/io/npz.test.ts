import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NpyError, npyArray, npyToFloat64, writeNpy } from './npy';
import { npzArray, readNpz, writeNpz } from './npz';
import { readNpzFile, saveNpzFile } from './npz-node';
import { readZip, writeZip } from './zip';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));
const directory = mkdtempSync(join(tmpdir(), 'ratlip-npz-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The formulas of __fixtures__/make_npz_fixtures.py. */
function expectedStats(n: number): { mu: number[]; sigma: number[] } {
  const mu = Array.from({ length: n }, (_, i) => (i - 3.5) / 3);
  const sigma: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sigma.push(1 / (1 + i + j) + (i === j ? 1 : 0));
  return { mu, sigma };
}

describe('readNpz on files written by numpy', () => {
  it.each(['stats_savez.npz', 'stats_savez_compressed.npz'])(
    '%s: FID-style mu / sigma in float64',
    (name) => {
      const arrays = readNpz(fixture(name), { source: name });
      expect([...arrays.keys()]).toEqual(['mu', 'sigma']);
      const mu = npzArray(arrays, 'mu');
      const sigma = npzArray(arrays, 'sigma');
      expect(mu.dtype).toBe('f8');
      expect(mu.shape).toEqual([8]);
      expect(sigma.shape).toEqual([8, 8]);
      expect(sigma.data).toBeInstanceOf(Float64Array);
      const expected = expectedStats(8);
      expect([...mu.data]).toEqual(expected.mu);
      expect([...sigma.data]).toEqual(expected.sigma);
    },
  );

  it.each(['mixed_savez.npz', 'mixed_savez_compressed.npz'])(
    '%s: every dtype, 0-d, empty, Fortran and big-endian',
    (name) => {
      const arrays = readNpz(fixture(name), { source: name });
      const get = (key: string) => npzArray(arrays, key, name);
      expect(get('f4')).toEqual({
        dtype: 'f4',
        shape: [2, 3],
        data: Float32Array.from([0, 1, 2, 3, 4, 5], (i) => Math.fround(i / 7)),
      });
      expect(get('f8')).toEqual({
        dtype: 'f8',
        shape: [4],
        data: Float64Array.from([0, 1, 2, 3], (i) => i / 7),
      });
      expect(get('i8')).toEqual({
        dtype: 'i8',
        shape: [3, 2],
        data: BigInt64Array.from([0, 1, 2, 3, 4, 5], (i) => BigInt(i) * -1_000_000_007n),
      });
      expect(get('i4').data).toEqual(new Int32Array([-2147483648, -1, 0, 1, 2147483647]));
      expect(get('i2').data).toEqual(new Int16Array([-32768, -1, 0, 32767]));
      expect(get('i1').data).toEqual(new Int8Array([-128, 0, 127]));
      expect(get('u1')).toEqual({ dtype: 'u1', shape: [3], data: new Uint8Array([0, 1, 255]) });
      expect(get('b1')).toEqual({ dtype: 'b1', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) });
      expect(get('f2')).toEqual({
        dtype: 'f2',
        shape: [6],
        data: new Uint16Array([0x3c00, 0xc100, 0x7bff, 0x0400, 0x0001, 0x7c00]),
      });
      expect(get('scalar')).toEqual({ dtype: 'f8', shape: [], data: new Float64Array([2.5]) });
      expect(get('empty')).toEqual({ dtype: 'f4', shape: [0, 3], data: new Float32Array(0) });
      expect(get('fortran')).toEqual({
        dtype: 'f4',
        shape: [2, 3, 4],
        data: Float32Array.from({ length: 24 }, (_, i) => i),
      });
      expect(get('big_endian')).toEqual({
        dtype: 'f4',
        shape: [5],
        data: new Float32Array([0, 0.5, 1, 1.5, 2]),
      });
    },
  );

  it('writeNpy produces the same .npy bytes as np.save', () => {
    const entries = readZip(fixture('stats_savez.npz'));
    const arrays = readNpz(fixture('stats_savez.npz'));
    for (const entry of entries) {
      const array = arrays.get(entry.name.replace(/\.npy$/, ''))!;
      expect(Buffer.from(writeNpy(array)).equals(Buffer.from(entry.read()))).toBe(true);
    }
  });
});

describe('writeNpz', () => {
  const { mu, sigma } = expectedStats(6);
  const arrays = {
    mu: npyArray(Float64Array.from(mu)),
    sigma: npyArray(Float64Array.from(sigma), [6, 6]),
    labels: npyArray(new BigInt64Array([3n, 1n])),
  };

  it.each([false, true])('round-trips (compress %s)', (compress) => {
    const read = readNpz(writeNpz(arrays, { compress }));
    expect([...read.keys()]).toEqual(['mu', 'sigma', 'labels']);
    expect(read.get('sigma')).toEqual(arrays.sigma);
    expect(npyToFloat64(read.get('labels')!)).toEqual(new Float64Array([3, 1]));
    expect(readZip(writeNpz(arrays, { compress }))[0]!.method).toBe(compress ? 'deflated' : 'stored');
  });

  it('accepts a Map and rejects empty names', () => {
    expect([...readNpz(writeNpz(new Map([['x', arrays.mu]]))).keys()]).toEqual(['x']);
    expect(() => writeNpz({ '': arrays.mu })).toThrow(/array names must not be empty/);
  });

  it('saves and reads files on disk', async () => {
    const path = join(directory, 'stats.npz');
    await saveNpzFile(path, arrays, { compress: true });
    expect(readNpzFile(path).get('mu')).toEqual(arrays.mu);
  });
});

describe('readNpz errors', () => {
  it('names the archive and the entry', () => {
    const notNpy = writeZip([{ name: 'notes.txt', data: new Uint8Array(3) }]);
    expect(() => readNpz(notNpy, { source: 'stats.npz' })).toThrow(
      /stats\.npz: entry 'notes\.txt' is not a \.npy array/,
    );
    const broken = writeZip([{ name: 'mu.npy', data: new Uint8Array(20) }]);
    expect(() => readNpz(broken, { source: 'stats.npz' })).toThrow(
      /stats\.npz entry 'mu\.npy': not a \.npy array/,
    );
    expect(() => npzArray(readNpz(fixture('stats_savez.npz')), 'nope', 'stats.npz')).toThrow(
      /stats\.npz: no array named 'nope' \(the archive holds: mu, sigma\)/,
    );
    expect(() => readNpz(new Uint8Array(50), { source: 'stats.npz' })).toThrow(
      /stats\.npz: no end-of-central-directory record/,
    );
    expect(() => readNpz(broken)).toThrow(NpyError);
  });
});
