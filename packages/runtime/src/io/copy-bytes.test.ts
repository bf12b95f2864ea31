import { describe, expect, it } from 'vitest';
import { copyBytes } from './copy-bytes';
import { readNpy, writeNpy } from './npy';

describe('copyBytes', () => {
  it('copies out of a Node Buffer that shares a pool, so typed arrays read the right memory', () => {
    const npy = writeNpy({ dtype: 'f8', shape: [3], data: new Float64Array([1.5, -2, 3.25]) });
    // Buffer.from on small inputs allocates from the shared pool, giving a non-zero byteOffset.
    const pooled = Buffer.from(npy);
    const copy = copyBytes(pooled, 2, 6);
    expect(copy.byteOffset).toBe(0);
    expect(copy.buffer.byteLength).toBe(4);
    expect([...copy]).toEqual([...npy.subarray(2, 6)]);
    expect([...(readNpy(pooled).data as Float64Array)]).toEqual([1.5, -2, 3.25]);
  });
});
