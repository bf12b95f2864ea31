/**
 * A fresh Uint8Array holding bytes[begin, end). `Uint8Array#slice` is called explicitly because a
 * Node Buffer's own `slice` returns a view into Node's shared pool, not a copy: typed arrays built on
 * its `.buffer` would read unrelated memory.
 */
export function copyBytes(bytes: Uint8Array, begin = 0, end = bytes.byteLength): Uint8Array<ArrayBuffer> {
  return Uint8Array.prototype.slice.call(bytes, begin, end) as Uint8Array<ArrayBuffer>;
}
