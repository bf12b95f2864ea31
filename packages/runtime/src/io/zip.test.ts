import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { crc32 } from './crc32';
import { readZip, writeZip, ZipError } from './zip';

const text = (value: string) => new TextEncoder().encode(value);

function expectError(bytes: Uint8Array, message: RegExp, readEntries = false): void {
  let caught: unknown;
  try {
    const entries = readZip(bytes, { source: 'bad.zip' });
    if (readEntries) for (const entry of entries) entry.read();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ZipError);
  expect((caught as Error).message).toMatch(/^bad\.zip: /);
  expect((caught as Error).message).toMatch(message);
}

describe('crc32', () => {
  it('matches the standard check value and continues across chunks', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(text('6789'), crc32(text('12345')))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('writeZip / readZip', () => {
  const entries = [
    { name: 'a.txt', data: text('hello hello hello hello') },
    { name: 'dir/ünïcode.bin', data: new Uint8Array(5000).map((_, i) => i % 7) },
    { name: 'empty', data: new Uint8Array(0) },
  ];

  for (const options of [
    {},
    { compress: true },
    { forceZip64: true },
    { compress: true, forceZip64: true },
  ]) {
    it(`round-trips with ${JSON.stringify(options)}`, () => {
      const archive = writeZip(entries, options);
      const read = readZip(archive);
      expect(read.map((e) => e.name)).toEqual(entries.map((e) => e.name));
      for (const [i, entry] of read.entries()) {
        expect(entry.method).toBe(options.compress ? 'deflated' : 'stored');
        expect(entry.read()).toEqual(entries[i]!.data);
      }
      if (options.compress) expect(read[1]!.compressedSize).toBeLessThan(5000);
    });
  }

  it('is deterministic (fixed timestamps)', () => {
    expect(writeZip(entries, { compress: true })).toEqual(writeZip(entries, { compress: true }));
  });

  it('rejects duplicate and empty names', () => {
    expect(() => writeZip([entries[0]!, entries[0]!])).toThrow(/duplicate entry name 'a\.txt'/);
    expect(() => writeZip([{ name: '', data: new Uint8Array(1) }])).toThrow(/entry names must not be empty/);
  });
});

describe('readZip rejects malformed archives', () => {
  const stored = writeZip([{ name: 'x.bin', data: new Uint8Array(100).fill(3) }]);
  const deflated = writeZip([{ name: 'x.bin', data: new Uint8Array(100).fill(3) }], { compress: true });
  const patch = (bytes: Uint8Array, offset: number, value: number, size: 2 | 4) => {
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    if (size === 2) view.setUint16(offset, value, true);
    else view.setUint32(offset, value, true);
    return copy;
  };
  const centralOffset = (bytes: Uint8Array) =>
    new DataView(bytes.buffer).getUint32(bytes.byteLength - 6, true);

  it('not a zip, or cut short', () => {
    expectError(new Uint8Array(10), /10 bytes is too short for a zip archive/);
    expectError(new Uint8Array(100), /no end-of-central-directory record/);
    expectError(stored.subarray(0, stored.byteLength - 5), /no end-of-central-directory record/);
  });

  it('a central directory or entry outside the archive', () => {
    expectError(
      patch(stored, stored.byteLength - 6, 1_000_000, 4),
      /central directory at offset 1000000 .* runs past the end/,
    );
    expectError(
      patch(stored, centralOffset(stored) + 42, 900_000, 4),
      /entry 'x\.bin': local header at offset 900000 .* runs past the end/,
    );
    expectError(
      patch(stored, centralOffset(stored) + 20, 50, 4),
      /entry 'x\.bin' is stored but its sizes differ \(50 vs 100\)/,
    );
    expectError(
      patch(stored, centralOffset(stored) + 20, 100_000, 4),
      /entry 'x\.bin': data at offset 35 \(100000 bytes\) runs past the end/,
    );
  });

  it('a deflated size claim that deflate cannot produce (no huge allocation)', () => {
    expectError(
      patch(deflated, centralOffset(deflated) + 24, 0xfffffff0, 4),
      /entry 'x\.bin' claims 4294967280 bytes from \d+ compressed bytes/,
    );
  });

  it('unsupported compression and encryption', () => {
    expectError(
      patch(stored, centralOffset(stored) + 10, 12, 2),
      /entry 'x\.bin' uses compression method 12 \(only stored \(0\) and deflate \(8\)/,
    );
    expectError(patch(stored, centralOffset(stored) + 8, 1, 2), /entry 'x\.bin' is encrypted/);
  });

  it('corrupt data: CRC mismatch, broken deflate stream', () => {
    const flipped = stored.slice();
    flipped[30 + 5 + 10] = flipped[30 + 5 + 10]! ^ 0xff;
    expectError(flipped, /entry 'x\.bin' fails its CRC-32 check/, true);
    const broken = deflated.slice();
    broken[30 + 5] = 0xff;
    expectError(broken, /entry 'x\.bin'/, true);
  });

  it('never crashes on random corruption: either valid entries or a ZipError', () => {
    const rng = new SeededRandom(5);
    const archive = writeZip(
      [
        { name: 'a.npy', data: new Uint8Array(300).map((_, i) => i) },
        { name: 'b.npy', data: new Uint8Array(200).fill(9) },
      ],
      { compress: true },
    );
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = archive.slice(0, trial % 4 === 0 ? rng.int(archive.byteLength + 1) : archive.byteLength);
      for (let i = 0; i < 1 + rng.int(3) && bytes.byteLength > 0; i++)
        bytes[rng.int(bytes.byteLength)] = rng.int(256);
      try {
        for (const entry of readZip(bytes)) entry.read();
      } catch (error) {
        expect(error).toBeInstanceOf(ZipError);
      }
    }
  });
});
