import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, SafetensorsError, type SafetensorsInput, writeSafetensors } from './safetensors';
import { openSafetensorsFile, saveSafetensorsFile, withSafetensorsFile } from './safetensors-node';

const directory = mkdtempSync(join(tmpdir(), 'ratlip-safetensors-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function ramp(count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => i * scale);
}

describe('saveSafetensorsFile / openSafetensorsFile', () => {
  const tensors: Record<string, SafetensorsInput> = {
    'conv.weight': { dtype: 'F32', shape: [4, 3, 3, 3], data: ramp(108, 0.5) },
    'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: [0] },
    half: { dtype: 'F16', shape: [3], data: [1, 2, 3] },
  };

  it('writes exactly what writeSafetensors produces, atomically', async () => {
    const path = join(directory, 'model.safetensors');
    await saveSafetensorsFile(path, tensors, { epoch: '3' });
    expect(
      Buffer.from(readFileSync(path)).equals(Buffer.from(writeSafetensors(tensors, { epoch: '3' }))),
    ).toBe(true);
    expect(readdirSync(directory)).toEqual(['model.safetensors']);
  });

  it('reads only the header on open, then each tensor on demand', () => {
    const path = join(directory, 'model.safetensors');
    const file = openSafetensorsFile(path);
    try {
      expect(file.bytesRead).toBe(file.header.dataOffset);
      expect(file.metadata).toEqual({ epoch: '3' });
      expect(file.fileBytes).toBe(readFileSync(path).byteLength);
      expect([...file.float32('conv.weight')]).toEqual([...ramp(108, 0.5)]);
      expect(file.bytesRead).toBe(file.header.dataOffset + 108 * 4);
      expect([...file.float32('half')]).toEqual([1, 2, 3]);
      expect(file.raw('bn.num_batches_tracked')).toEqual(new BigInt64Array([0n]));
    } finally {
      file.close();
    }
    expect(file.closed).toBe(true);
    expect(() => file.raw('half')).toThrow(/model\.safetensors: file is closed/);
  });

  it('withSafetensorsFile closes the file after sync and async use', async () => {
    const path = join(directory, 'model.safetensors');
    let kept = withSafetensorsFile(path, (file) => file);
    expect(kept.closed).toBe(true);
    const names = await withSafetensorsFile(path, async (file) => {
      kept = file;
      await Promise.resolve();
      return file.names();
    });
    expect(names).toEqual(Object.keys(tensors));
    expect(kept.closed).toBe(true);
  });

  it('needs one tensor of memory per read, never the whole file', () => {
    // 8 tensors of 2 MB each: every read is one tensor, and opening allocates nothing big.
    const path = join(directory, 'big.safetensors');
    const count = 512 * 1024;
    const inputs: Record<string, SafetensorsInput> = {};
    for (let i = 0; i < 8; i++) inputs[`layer${i}`] = { dtype: 'F32', shape: [count], data: ramp(count, i) };
    writeFileSync(path, writeSafetensors(inputs));
    const before = process.memoryUsage().arrayBuffers;
    const file = openSafetensorsFile(path);
    try {
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
      for (let i = 0; i < 8; i++) {
        const values = file.float32(`layer${i}`);
        expect(values[count - 1]).toBe(Math.fround((count - 1) * i));
      }
      expect(file.largestRead).toBe(count * 4);
      expect(file.bytesRead).toBe(file.fileBytes);
    } finally {
      file.close();
    }
  });

  it('rejects malformed files on disk with the path in the error', () => {
    const claim = join(directory, 'claim.safetensors');
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 100n * 1024n * 1024n, true);
    writeFileSync(claim, bytes);
    expect(() => openSafetensorsFile(claim)).toThrow(
      /claim\.safetensors: header length field claims 104857600 bytes/,
    );

    const truncated = join(directory, 'truncated.safetensors');
    writeFileSync(truncated, writeSafetensors(tensors).subarray(0, 200));
    expect(() => openSafetensorsFile(truncated)).toThrow(SafetensorsError);
    expect(() => openSafetensorsFile(join(directory, 'absent.safetensors'))).toThrow(/ENOENT/);
  });

  it('notices a file that shrinks after opening', () => {
    const path = join(directory, 'shrinking.safetensors');
    writeFileSync(path, writeSafetensors(tensors));
    const file = openSafetensorsFile(path);
    try {
      truncateSync(path, file.header.dataOffset + 10);
      expect(() => file.raw('conv.weight')).toThrow(/file ended at byte \d+ while reading bytes/);
    } finally {
      file.close();
    }
  });

  it('keeps the previous file when encoding fails midway', async () => {
    const path = join(directory, 'model.safetensors');
    const before = readFileSync(path);
    await expect(
      saveSafetensorsFile(path, {
        ok: { dtype: 'F32', shape: [1], data: [1] },
        bad: { dtype: 'I64', shape: [1], data: [0.5] },
      }),
    ).rejects.toThrow(/tensor 'bad' \(I64\) holds 0.5/);
    expect(Buffer.from(readFileSync(path)).equals(before)).toBe(true);
    expect(readSafetensors(readFileSync(path)).names()).toEqual(Object.keys(tensors));
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
