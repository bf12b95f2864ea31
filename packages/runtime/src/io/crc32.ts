/** The CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) that zip files store per entry. */

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of `bytes` as an unsigned 32-bit integer. Pass the previous result as `previous` to
 * continue a checksum over several chunks.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const lookup = crcTable();
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = lookup[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
