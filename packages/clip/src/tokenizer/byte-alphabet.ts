/**
 * CLIP's reversible mapping between the 256 byte values and 256 printable characters. Byte-level BPE
 * works on UTF-8 bytes, but CLIP's merges file spells them as characters: bytes that are printable
 * Latin-1 characters stand for themselves, and the others (controls, space, soft hyphen) are shifted to
 * U+0100 onwards so that no token contains whitespace.
 */

function isPrintableLatin1(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildVocabularyOrder(): Uint8Array {
  const order = new Uint8Array(256);
  let position = 0;
  for (let byte = 0; byte < 256; byte++) if (isPrintableLatin1(byte)) order[position++] = byte;
  for (let byte = 0; byte < 256; byte++) if (!isPrintableLatin1(byte)) order[position++] = byte;
  return order;
}

function buildByteSymbols(): string[] {
  const symbols = new Array<string>(256);
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    symbols[byte] = String.fromCharCode(isPrintableLatin1(byte) ? byte : 256 + shifted++);
  }
  return symbols;
}

/**
 * The byte of each of the first 256 vocabulary entries: vocabulary id `i < 256` is the single byte
 * `BYTE_VOCABULARY_ORDER[i]`, and id `256 + i` is the same byte ending a word (`</w>`).
 */
export const BYTE_VOCABULARY_ORDER: Uint8Array = buildVocabularyOrder();

/** The printable character that stands for each byte value, indexed by byte. */
export const BYTE_SYMBOLS: readonly string[] = buildByteSymbols();

/** Highest char code among `BYTE_SYMBOLS` plus one; the size of `SYMBOL_BYTES`. */
const SYMBOL_CODE_LIMIT = 0x144;

function buildSymbolBytes(): Int16Array {
  const bytes = new Int16Array(SYMBOL_CODE_LIMIT).fill(-1);
  BYTE_SYMBOLS.forEach((symbol, byte) => {
    bytes[symbol.charCodeAt(0)] = byte;
  });
  return bytes;
}

const SYMBOL_BYTES = buildSymbolBytes();

/** The byte a symbol character stands for, or -1 when the character is not in the byte alphabet. */
export function symbolToByte(charCode: number): number {
  return charCode < SYMBOL_CODE_LIMIT ? SYMBOL_BYTES[charCode]! : -1;
}
