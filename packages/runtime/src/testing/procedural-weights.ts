/**
 * The counter-hash weight generator of the shared test fixtures (`shared/fixtures/README.md`):
 * element i of the tensor with hash key K is float32(offset + scale * u(K, i)), u in [-1, 1).
 * It lets full-size models be tested without weight files.
 */

/** FNV-1a 32-bit hash of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** u(seed, i) in [-1, 1), exact in double precision. */
export function proceduralUniform(seed: number, index: number): number {
  let x = (Math.imul(index >>> 0, 0x9e3779b1) + seed) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return ((x >>> 8) / 16777216) * 2 - 1;
}

/** `count` values of the tensor with hash key `hashKey`, in row-major order of its PyTorch layout. */
export function proceduralValues(
  hashKey: string,
  count: number,
  offset: number,
  scale: number,
): Float32Array {
  const seed = fnv1a32(hashKey);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.fround(offset + scale * proceduralUniform(seed, i));
  return out;
}
