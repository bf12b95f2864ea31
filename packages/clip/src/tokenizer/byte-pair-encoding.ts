import type { BpeVocabulary } from './bpe-vocabulary';

/**
 * Byte-level BPE of one word, exactly as CLIP's `SimpleTokenizer.bpe`: the word's UTF-8 bytes become
 * symbols (the last one marked as ending the word), then the adjacent pair with the lowest merge rank
 * is merged everywhere it occurs, left to right without overlap, until no adjacent pair has a rank.
 * Symbols are vocabulary ids throughout, so a merge is a rank look-up in a map, not string work.
 *
 * @param bytes the word's UTF-8 bytes, at least one.
 * @returns the word's token ids.
 */
export function bytePairEncode(bytes: Uint8Array, vocabulary: BpeVocabulary): number[] {
  const length = bytes.length;
  if (length === 0) throw new Error('bytePairEncode: a word needs at least one byte');
  const symbols = new Array<number>(length);
  for (let index = 0; index < length - 1; index++) symbols[index] = vocabulary.byteIds[bytes[index]!]!;
  symbols[length - 1] = vocabulary.wordEndByteIds[bytes[length - 1]!]!;
  let count = length;
  while (count > 1) {
    let bestRank = -1;
    let bestLeft = 0;
    let bestRight = 0;
    for (let index = 0; index < count - 1; index++) {
      const rank = vocabulary.rank(symbols[index]!, symbols[index + 1]!);
      if (rank !== undefined && (bestRank < 0 || rank < bestRank)) {
        bestRank = rank;
        bestLeft = symbols[index]!;
        bestRight = symbols[index + 1]!;
      }
    }
    if (bestRank < 0) break;
    const merged = vocabulary.mergedId(bestRank);
    let write = 0;
    for (let read = 0; read < count; ) {
      if (read < count - 1 && symbols[read] === bestLeft && symbols[read + 1] === bestRight) {
        symbols[write++] = merged;
        read += 2;
      } else {
        symbols[write++] = symbols[read++]!;
      }
    }
    count = write;
  }
  symbols.length = count;
  return symbols;
}
