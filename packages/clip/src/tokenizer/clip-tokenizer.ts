import { type BpeVocabulary, END_OF_TEXT, START_OF_TEXT } from './bpe-vocabulary';
import { loadClipVocabulary } from './bundled-vocabulary';
import { symbolToByte } from './byte-alphabet';
import { bytePairEncode } from './byte-pair-encoding';
import { cleanText, isPlainAscii } from './clean-text';
import { splitLowerAsciiWords, splitWords } from './split-words';

/** CLIP's text context: 77 token positions per row, markers included. */
export const CLIP_CONTEXT_LENGTH = 77;

/** Options of a `ClipTokenizer`. */
export interface ClipTokenizerOptions {
  /**
   * Most distinct words whose token ids are remembered (default 100,000, several times the vocabulary
   * of CUB or COCO captions). When the cache is full it is emptied and refilled, so memory stays
   * bounded on open-ended text. 0 turns caching off.
   */
  cacheCapacity?: number;
}

/** Options of `ClipTokenizer.tokenize`. */
export interface TokenizeOptions {
  /** Token positions per row, including the start and end markers; default 77. At least 2. */
  contextLength?: number;
  /**
   * What to do with text longer than the context: `false` (default) throws, naming the text and its
   * token count, as `clip.tokenize` does; `true` keeps the first `contextLength - 1` tokens (start
   * marker included) and ends the row with the end-of-text marker, as `clip.tokenize(truncate=True)`.
   */
  truncate?: boolean;
}

/** Token rows for a batch of texts, as `clip.tokenize` returns them. */
export interface TokenizedTexts {
  /**
   * Token ids `[count, contextLength]`, row-major: `<|startoftext|>`, the text's tokens,
   * `<|endoftext|>`, then zeros. For a tensor: `tf.tensor2d(ids, [count, contextLength], 'int32')`.
   */
  readonly ids: Int32Array;
  /** Number of rows (texts). */
  readonly count: number;
  /** Token positions per row. */
  readonly contextLength: number;
  /** Tokens in each row before the zero padding, markers included, `[count]`. */
  readonly lengths: Int32Array;
  /**
   * Position of the first `<|endoftext|>` in each row, `[count]`: where CLIP pools the text
   * feature (its `argmax` over the ids, since that marker has the highest id). It is `lengths - 1`
   * unless the text itself contains a literal `<|endoftext|>`.
   */
  readonly eotIndices: Int32Array;
}

/** Options of `ClipTokenizer.decode`. */
export interface DecodeOptions {
  /**
   * Read the ids as a tokenized row (default false): drop a leading `<|startoftext|>` and stop at the
   * first `<|endoftext|>`, ignoring the zero padding after it (which would otherwise decode as "!").
   */
  skipSpecialTokens?: boolean;
}

const DEFAULT_CACHE_CAPACITY = 100_000;
const utf8Encoder = new TextEncoder();
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function abbreviate(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 117)}...`;
}

/**
 * OpenAI CLIP's tokenizer (`clip.simple_tokenizer.SimpleTokenizer` and `clip.tokenize`), token for
 * token: ftfy-style text repair, HTML unescaping, whitespace collapsing and lower-casing
 * (`cleanText`), CLIP's word pattern (`splitWords`), and byte-level BPE over the first 48,894 merges of
 * `bpe_simple_vocab_16e6.txt`. Word results are cached, so large caption sets tokenize quickly
 * (CUB's ~118k captions in about a second). The one known gap: rare mojibake that ftfy's heuristics
 * judge differently (see `fixText`).
 *
 * @example
 * ```ts
 * import { ClipTokenizer } from '@ratlip/clip';
 *
 * const tokenizer = await ClipTokenizer.load();
 * tokenizer.encode('A small bird.'); // [320, 2442, 3329, 269]
 * const batch = tokenizer.tokenize(['a red bird', 'a yellow flower'], { truncate: true });
 * batch.ids.subarray(0, 5); // Int32Array [49406, 320, 736, 3329, 49407]
 * tokenizer.decode(batch.ids.subarray(0, 77), { skipSpecialTokens: true }); // 'a red bird '
 * ```
 */
export class ClipTokenizer {
  /** The vocabulary and merges in use. */
  readonly vocabulary: BpeVocabulary;
  /** The word cache's capacity (see `ClipTokenizerOptions.cacheCapacity`). */
  readonly cacheCapacity: number;
  private readonly wordCache = new Map<string, readonly number[]>();

  /**
   * A tokenizer over any CLIP-layout vocabulary, e.g. `BpeVocabulary.fromMergesText(text)` for a merges
   * file of your own. `ClipTokenizer.load()` gives CLIP's.
   */
  constructor(vocabulary: BpeVocabulary, options: ClipTokenizerOptions = {}) {
    const capacity = options.cacheCapacity ?? DEFAULT_CACHE_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new Error(`ClipTokenizer: cacheCapacity must be a non-negative integer, got ${capacity}`);
    }
    this.vocabulary = vocabulary;
    this.cacheCapacity = capacity;
  }

  /**
   * CLIP's tokenizer with the merges bundled in this package. The merges are decoded once per
   * process; each call returns a new tokenizer with its own (empty) word cache.
   */
  static async load(options: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
    return new ClipTokenizer(await loadClipVocabulary(), options);
  }

  /** Number of token ids (49,408 for CLIP). */
  get vocabularySize(): number {
    return this.vocabulary.size;
  }

  /** Id of `<|startoftext|>` (49406 for CLIP). */
  get startOfTextId(): number {
    return this.vocabulary.startOfTextId;
  }

  /** Id of `<|endoftext|>` (49407 for CLIP). */
  get endOfTextId(): number {
    return this.vocabulary.endOfTextId;
  }

  /** Number of words currently cached. */
  get cachedWordCount(): number {
    return this.wordCache.size;
  }

  /** Forgets all cached words. */
  clearCache(): void {
    this.wordCache.clear();
  }

  /**
   * The BPE token ids of a text, without start or end markers (`SimpleTokenizer.encode`). A literal
   * `<|startoftext|>` or `<|endoftext|>` in the text becomes that marker's id, as in CLIP.
   */
  encode(text: string): number[] {
    if (typeof text !== 'string') {
      throw new TypeError(`ClipTokenizer.encode: text must be a string, got ${describeValue(text)}`);
    }
    const ids: number[] = [];
    this.appendIds(text, ids);
    return ids;
  }

  /**
   * Token rows for one text or many, exactly as `clip.tokenize(texts, context_length, truncate)`.
   *
   * @param texts a string, or an array of strings (one row each).
   * @throws when a text is not a string, or is too long and `truncate` is false.
   */
  tokenize(texts: string | readonly string[], options: TokenizeOptions = {}): TokenizedTexts {
    const contextLength = options.contextLength ?? CLIP_CONTEXT_LENGTH;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new Error(`ClipTokenizer.tokenize: contextLength must be an integer >= 2, got ${contextLength}`);
    }
    const truncate = options.truncate ?? false;
    const list: readonly unknown[] = typeof texts === 'string' ? [texts] : texts;
    if (!Array.isArray(list)) {
      throw new TypeError(
        `ClipTokenizer.tokenize: texts must be a string or an array of strings, got ${describeValue(texts)}`,
      );
    }
    list.forEach((text, index) => {
      if (typeof text !== 'string') {
        throw new TypeError(
          `ClipTokenizer.tokenize: texts[${index}] must be a string, got ${describeValue(text)}`,
        );
      }
    });
    const count = list.length;
    const ids = new Int32Array(count * contextLength);
    const lengths = new Int32Array(count);
    const eotIndices = new Int32Array(count);
    const endOfText = this.endOfTextId;
    const tokens: number[] = [];
    for (let row = 0; row < count; row++) {
      const text = list[row] as string;
      tokens.length = 0;
      this.appendIds(text, tokens);
      let length = tokens.length + 2;
      if (length > contextLength) {
        if (!truncate) {
          throw new Error(
            `ClipTokenizer.tokenize: text ${row} "${abbreviate(text)}" is ${length} tokens with its markers, ` +
              `longer than the context length ${contextLength}; pass { truncate: true } to cut it`,
          );
        }
        length = contextLength;
      }
      const offset = row * contextLength;
      ids[offset] = this.startOfTextId;
      for (let index = 1; index < length - 1; index++) ids[offset + index] = tokens[index - 1]!;
      ids[offset + length - 1] = endOfText;
      lengths[row] = length;
      let eot = 0;
      while (ids[offset + eot] !== endOfText) eot++;
      eotIndices[row] = eot;
    }
    return { ids, count, contextLength, lengths, eotIndices };
  }

  /**
   * The text of token ids (`SimpleTokenizer.decode`): token strings joined, read back as UTF-8 (invalid
   * sequences as U+FFFD), and each word end `</w>` as a space, so a decoded text ends with a space.
   * Lower case and the cleaning are not undone.
   *
   * @param ids token ids, e.g. from `encode`, or a row of `tokenize(...).ids`.
   * @throws naming the position of an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw new TypeError(
        `ClipTokenizer.decode: ids must be an array of token ids, got ${describeValue(ids)}`,
      );
    }
    let start = 0;
    let end = ids.length;
    if (options.skipSpecialTokens) {
      if (end > 0 && ids[0] === this.startOfTextId) start = 1;
      for (let index = start; index < end; index++) {
        if (ids[index] === this.endOfTextId) {
          end = index;
          break;
        }
      }
    }
    let symbols = '';
    for (let index = start; index < end; index++) {
      const id = ids[index]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabulary.size) {
        throw new Error(
          `ClipTokenizer.decode: ids[${index}] is ${id}, not a token id in [0, ${this.vocabulary.size})`,
        );
      }
      symbols += this.vocabulary.token(id);
    }
    const bytes = new Uint8Array(symbols.length);
    for (let index = 0; index < symbols.length; index++)
      bytes[index] = symbolToByte(symbols.charCodeAt(index));
    return lenientUtf8.decode(bytes).replaceAll('</w>', ' ');
  }

  private appendIds(text: string, ids: number[]): void {
    const words = isPlainAscii(text) ? splitLowerAsciiWords(text.toLowerCase()) : splitWords(cleanText(text));
    for (const word of words) {
      const wordIds = this.wordIds(word);
      for (let index = 0; index < wordIds.length; index++) ids.push(wordIds[index]!);
    }
  }

  private wordIds(word: string): readonly number[] {
    const cached = this.wordCache.get(word);
    if (cached !== undefined) return cached;
    let ids: number[];
    if (word === START_OF_TEXT) ids = [this.startOfTextId];
    else if (word === END_OF_TEXT) ids = [this.endOfTextId];
    else ids = bytePairEncode(utf8Bytes(word), this.vocabulary);
    if (this.cacheCapacity > 0) {
      if (this.wordCache.size >= this.cacheCapacity) this.wordCache.clear();
      this.wordCache.set(word, ids);
    }
    return ids;
  }
}

function utf8Bytes(word: string): Uint8Array {
  const bytes = new Uint8Array(word.length);
  for (let index = 0; index < word.length; index++) {
    const code = word.charCodeAt(index);
    if (code >= 0x80) return utf8Encoder.encode(word);
    bytes[index] = code;
  }
  return bytes;
}
