/** FNV-1a 32-bit hash of a string's UTF-8 bytes. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Mixes integers into one well-spread unsigned 32-bit seed (MurmurHash3 finaliser per word). */
export function mixSeed(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) {
    let word = Math.imul(part >>> 0, 0xcc9e2d51);
    word = ((word << 15) | (word >>> 17)) >>> 0;
    hash = (hash ^ Math.imul(word, 0x1b873593)) >>> 0;
    hash = (((hash << 13) | (hash >>> 19)) * 5 + 0xe6546b64) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  return (hash ^ (hash >>> 16)) >>> 0;
}
