import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256HexSync } from './sha256';

describe('sha256', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256HexSync(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256HexSync(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('agrees with node:crypto and Web Crypto at every padding boundary and on views', async () => {
    const data = Uint8Array.from({ length: 300 }, (_, index) => (index * 37 + 11) % 256);
    for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 128, 300]) {
      const bytes = data.subarray(300 - length);
      const expected = createHash('sha256').update(bytes).digest('hex');
      expect(sha256HexSync(bytes), `length ${length}`).toBe(expected);
      expect(await sha256Hex(bytes), `length ${length}`).toBe(expected);
    }
  });
});
