import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicFromChunks, writeFileAtomicSync } from './atomic-write';

const directory = mkdtempSync(join(tmpdir(), 'ratlip-atomic-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes text and bytes, replacing an existing file, leaving no temporary files', async () => {
    const path = join(directory, 'a.json');
    await writeFileAtomic(path, '{"step": 1}');
    expect(readFileSync(path, 'utf8')).toBe('{"step": 1}');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(directory)).toEqual(['a.json']);
  });

  it('creates missing folders by default and refuses when told not to', async () => {
    const path = join(directory, 'deep', 'er', 'out.txt');
    await writeFileAtomic(path, 'x');
    expect(readFileSync(path, 'utf8')).toBe('x');
    await expect(
      writeFileAtomic(join(directory, 'missing', 'out.txt'), 'x', { createDirectory: false }),
    ).rejects.toThrow(/writeFileAtomic: could not write .*missing\/out\.txt: .*ENOENT/);
  });

  it('streams chunks from an async iterable', async () => {
    const path = join(directory, 'chunks.bin');
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield new Uint8Array(1000).fill(i);
      yield 'end';
    }
    await writeFileAtomicFromChunks(path, chunks(), { fsync: false });
    const data = readFileSync(path);
    expect(data.byteLength).toBe(5003);
    expect(data[4999]).toBe(4);
    expect(data.subarray(5000).toString()).toBe('end');
  });

  it('keeps the old file and removes the temporary one when writing fails midway', async () => {
    const sub = join(directory, 'failing');
    const path = join(sub, 'checkpoint.bin');
    await writeFileAtomic(path, 'old');
    function* chunks() {
      yield 'partial new content';
      throw new Error('disk full (simulated)');
    }
    await expect(writeFileAtomicFromChunks(path, chunks())).rejects.toThrow(
      /could not write .*checkpoint\.bin: disk full \(simulated\)/,
    );
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(sub)).toEqual(['checkpoint.bin']);
  });

  it('has a synchronous form with the same guarantees', () => {
    const sub = join(directory, 'sync');
    const path = join(sub, 'state.json');
    writeFileAtomicSync(path, 'one');
    writeFileAtomicSync(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    writeFileSync(join(directory, 'plain-file'), '');
    expect(() => writeFileAtomicSync(join(directory, 'plain-file', 'x'), 'y')).toThrow(
      /writeFileAtomic: could not write .*plain-file\/x/,
    );
    expect(readdirSync(sub)).toEqual(['state.json']);
  });
});
