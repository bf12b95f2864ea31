import { BYTE_SYMBOLS, BYTE_VOCABULARY_ORDER } from './byte-alphabet';

/** Merges CLIP uses: 49152 - 256 - 2, so bytes, word-final bytes, merges and 2 markers make 49,408 ids. */
export const CLIP_MERGE_COUNT = 48_894;

/** The start-of-text marker; CLIP puts it first in every row (id 49406 with CLIP's merges). */
export const START_OF_TEXT = '<|startoftext|>';

/** The end-of-text marker; CLIP puts it last in every row and pools there (id 49407 with CLIP's merges). */
export const END_OF_TEXT = '<|endoftext|>';

const WORD_END = '</w>';
/** Ids below this are single bytes (256) and word-final bytes (256); merge `r` has id `BYTE_TOKENS + r`. */
const BYTE_TOKENS = 512;
/** Pair keys pack two ids as `left * PAIR_STRIDE + right`, so every id must stay below it. */
const PAIR_STRIDE = 65_536;

/**
 * A byte-level BPE vocabulary in CLIP's layout: the 256 byte symbols, the same 256 ending a word
 * (`</w>`), one token per merge in merge order, then `<|startoftext|>` and `<|endoftext|>`.
 * Merges are held as id pairs, so encoding never touches token strings; those are built on first use
 * by `token()` or `id()`.
 */
export class BpeVocabulary {
  /** Number of merges (48,894 for CLIP). */
  readonly mergeCount: number;
  /** Number of ids, `512 + mergeCount + 2` (49,408 for CLIP). */
  readonly size: number;
  /** Id of `<|startoftext|>`. */
  readonly startOfTextId: number;
  /** Id of `<|endoftext|>`. */
  readonly endOfTextId: number;
  /** Id of each byte value as a symbol inside a word, indexed by byte. */
  readonly byteIds: Int32Array;
  /** Id of each byte value as the last symbol of a word (`</w>`), indexed by byte. */
  readonly wordEndByteIds: Int32Array;

  private readonly mergePairs: Uint16Array;
  private readonly ranks: Map<number, number>;
  private tokenStrings: string[] | undefined;
  private tokenIds: Map<string, number> | undefined;

  private constructor(mergePairs: Uint16Array, source: string) {
    const mergeCount = mergePairs.length / 2;
    if (!Number.isInteger(mergeCount) || BYTE_TOKENS + mergeCount + 2 > PAIR_STRIDE) {
      throw new Error(
        `${source}: expected an even number of merge ids for at most ${PAIR_STRIDE - BYTE_TOKENS - 2} merges, got ${mergePairs.length}`,
      );
    }
    this.mergeCount = mergeCount;
    this.size = BYTE_TOKENS + mergeCount + 2;
    this.startOfTextId = this.size - 2;
    this.endOfTextId = this.size - 1;
    this.mergePairs = mergePairs;
    this.ranks = new Map();
    for (let rank = 0; rank < mergeCount; rank++) {
      const left = mergePairs[2 * rank]!;
      const right = mergePairs[2 * rank + 1]!;
      const limit = BYTE_TOKENS + rank;
      if (left >= limit || right >= limit) {
        throw new Error(
          `${source}: merge ${rank} joins ids ${left} and ${right}, but only ids below ${limit} exist before it`,
        );
      }
      const key = left * PAIR_STRIDE + right;
      const earlier = this.ranks.get(key);
      if (earlier !== undefined) {
        throw new Error(`${source}: merge ${rank} repeats merge ${earlier} (ids ${left} and ${right})`);
      }
      this.ranks.set(key, rank);
    }
    this.byteIds = new Int32Array(256);
    this.wordEndByteIds = new Int32Array(256);
    BYTE_VOCABULARY_ORDER.forEach((byte, id) => {
      this.byteIds[byte] = id;
      this.wordEndByteIds[byte] = id + 256;
    });
  }

  /**
   * Builds a vocabulary from merges given as id pairs: `pairs[2r]` and `pairs[2r + 1]` are the ids of
   * the left and right halves of merge `r`, each below `512 + r`. Two merges must not spell the same
   * token (`fromMergesText` checks that; this trusts it).
   */
  static fromMergePairs(pairs: ArrayLike<number>, source = 'merge pairs'): BpeVocabulary {
    const copy = new Uint16Array(pairs.length);
    for (let index = 0; index < pairs.length; index++) {
      const id = pairs[index]!;
      if (!Number.isInteger(id) || id < 0 || id >= PAIR_STRIDE) {
        throw new Error(`${source}: entry ${index} is ${id}, expected an integer id in [0, ${PAIR_STRIDE})`);
      }
      copy[index] = id;
    }
    return new BpeVocabulary(copy, source);
  }

  /**
   * Builds a vocabulary from base64 of little-endian uint16 merge id pairs (the layout of the bundled
   * `clip-bpe-merges` asset).
   */
  static fromBase64MergePairs(base64: string, source = 'base64 merge pairs'): BpeVocabulary {
    const binary = atob(base64);
    if (binary.length % 4 !== 0) {
      throw new Error(`${source}: ${binary.length} bytes is not a whole number of uint16 pairs`);
    }
    const pairs = new Uint16Array(binary.length / 2);
    for (let index = 0; index < pairs.length; index++) {
      pairs[index] = binary.charCodeAt(2 * index) | (binary.charCodeAt(2 * index + 1) << 8);
    }
    return new BpeVocabulary(pairs, source);
  }

  /**
   * Builds a vocabulary from the text of a CLIP merges file (`bpe_simple_vocab_16e6.txt`, already
   * decompressed): the first line is a header and is skipped, as CLIP does, then one `left right` merge
   * per line; the first `mergeCount` merges are used (default 48,894, CLIP's choice).
   */
  static fromMergesText(text: string, mergeCount = CLIP_MERGE_COUNT, source = 'merges text'): BpeVocabulary {
    if (!Number.isInteger(mergeCount) || mergeCount < 0) {
      throw new Error(`${source}: mergeCount must be a non-negative integer, got ${mergeCount}`);
    }
    const lines = text.split('\n');
    if (lines.length - 1 < mergeCount) {
      throw new Error(
        `${source}: needs ${mergeCount} merges after the header line, found ${lines.length - 1}`,
      );
    }
    const ids = new Map<string, number>();
    BYTE_VOCABULARY_ORDER.forEach((byte, id) => {
      ids.set(BYTE_SYMBOLS[byte]!, id);
      ids.set(BYTE_SYMBOLS[byte]! + WORD_END, id + 256);
    });
    const pairs = new Uint16Array(2 * mergeCount);
    for (let rank = 0; rank < mergeCount; rank++) {
      const line = lines[rank + 1]!;
      const parts = line.split(' ');
      const left = parts.length === 2 ? ids.get(parts[0]!) : undefined;
      const right = parts.length === 2 ? ids.get(parts[1]!) : undefined;
      if (left === undefined || right === undefined) {
        throw new Error(
          `${source}: line ${rank + 2} "${line}" is not two earlier tokens separated by one space`,
        );
      }
      const merged = parts[0]! + parts[1]!;
      if (ids.has(merged)) {
        throw new Error(`${source}: line ${rank + 2} "${line}" makes token "${merged}" a second time`);
      }
      ids.set(merged, BYTE_TOKENS + rank);
      pairs[2 * rank] = left;
      pairs[2 * rank + 1] = right;
    }
    return new BpeVocabulary(pairs, source);
  }

  /** Merge rank of the adjacent symbols `left`, `right` (lower merges first), or undefined if they never merge. */
  rank(left: number, right: number): number | undefined {
    return this.ranks.get(left * PAIR_STRIDE + right);
  }

  /** The id of the token made by the merge of rank `rank`. */
  mergedId(rank: number): number {
    return BYTE_TOKENS + rank;
  }

  /** The merge id pairs, `[2 * mergeCount]` (left, right per merge); a copy. */
  mergeIdPairs(): Uint16Array {
    return this.mergePairs.slice();
  }

  /** The token string of `id` in CLIP's spelling (byte symbols, `</w>` at word ends); throws for unknown ids. */
  token(id: number): string {
    const tokens = this.tokens();
    const token = Number.isInteger(id) ? tokens[id] : undefined;
    if (token === undefined) throw new Error(`token id ${id} is not an integer in [0, ${this.size})`);
    return token;
  }

  /** The id of a token string in CLIP's spelling (e.g. `'bird</w>'`), or undefined. */
  id(token: string): number | undefined {
    if (this.tokenIds === undefined) this.tokenIds = new Map(this.tokens().map((text, id) => [text, id]));
    return this.tokenIds.get(token);
  }

  private tokens(): string[] {
    if (this.tokenStrings === undefined) {
      const tokens = new Array<string>(this.size);
      BYTE_VOCABULARY_ORDER.forEach((byte, id) => {
        tokens[id] = BYTE_SYMBOLS[byte]!;
        tokens[id + 256] = BYTE_SYMBOLS[byte]! + WORD_END;
      });
      for (let rank = 0; rank < this.mergeCount; rank++) {
        tokens[BYTE_TOKENS + rank] =
          tokens[this.mergePairs[2 * rank]!]! + tokens[this.mergePairs[2 * rank + 1]!]!;
      }
      tokens[this.startOfTextId] = START_OF_TEXT;
      tokens[this.endOfTextId] = END_OF_TEXT;
      this.tokenStrings = tokens;
    }
    return this.tokenStrings;
  }
}
