import { END_OF_TEXT, START_OF_TEXT } from './bpe-vocabulary';

/** Whitespace as the Python `regex` module's `\s` sees it (the Unicode White_Space property). */
const REGEX_MODULE_WHITESPACE =
  '\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/**
 * A literal matched the way the reference's case-insensitive `regex` pattern matches it: each ASCII
 * letter in either case, plus U+017F LONG S, the one other character that simple case folding takes to
 * one of these letters.
 */
function caseless(literal: string): string {
  return Array.from(literal, (character) => {
    if (character === 's') return '[sS\\u017f]';
    if (/[a-z]/.test(character)) return `[${character}${character.toUpperCase()}]`;
    return character === '|' ? '\\|' : character;
  }).join('');
}

/**
 * CLIP's word pattern, `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
 * compiled by Python's `regex` module with IGNORECASE. JavaScript's `i` flag would differ on one
 * character: U+0345 COMBINING GREEK YPOGEGRAMMENI folds to a letter, which makes the reference match
 * it with neither class (it is dropped) while JavaScript's `iu` counts it a letter. So case is handled in
 * the literals, and `\s` is spelled out because JavaScript's differs too.
 */
const CLIP_WORD_PATTERN = new RegExp(
  [
    caseless(START_OF_TEXT),
    caseless(END_OF_TEXT),
    ...['s', 't', 're', 've', 'm', 'll', 'd'].map((suffix) => `'${caseless(suffix)}`),
    '\\p{L}+',
    '\\p{N}',
    `[^${REGEX_MODULE_WHITESPACE}\\p{L}\\p{N}\\u0345]+`,
  ].join('|'),
  'gu',
);

/**
 * Splits cleaned text into CLIP's words: the two special markers, English contraction suffixes, runs
 * of letters, single digits, and runs of other non-space characters.
 *
 * @example splitWords("it's 42!") // ['it', "'s", '4', '2', '!']
 */
export function splitWords(text: string): string[] {
  return text.match(CLIP_WORD_PATTERN) ?? [];
}

const TAB = 0x09;
const LINE_FEED = 0x0a;
const SPACE = 0x20;
const APOSTROPHE = 0x27;
const LESS_THAN = 0x3c;

function isAsciiSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === LINE_FEED;
}

function isAsciiLower(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Length of the contraction suffix (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`) at `start`, or 0. */
function contractionLength(text: string, start: number): number {
  const first = text.charCodeAt(start + 1);
  const second = text.charCodeAt(start + 2);
  switch (first) {
    case 0x73: // s
    case 0x74: // t
    case 0x6d: // m
    case 0x64: // d
      return 2;
    case 0x72: // r
    case 0x76: // v
      return second === 0x65 ? 3 : 0; // e
    case 0x6c: // l
      return second === 0x6c ? 3 : 0; // l
    default:
      return 0;
  }
}

/**
 * `splitWords` for text that is already lower-case ASCII with only spaces, tabs and newlines as
 * whitespace, written as a scanner: on such text the word pattern reduces to these character tests,
 * and CLIP's whitespace collapsing cannot change the words, so the tokenizer skips both the cleaning and
 * the Unicode regular expression for typical captions.
 */
export function splitLowerAsciiWords(text: string): string[] {
  const words: string[] = [];
  const length = text.length;
  let start = 0;
  while (start < length) {
    const code = text.charCodeAt(start);
    let end = start + 1;
    if (isAsciiSpace(code)) {
      start = end;
      continue;
    }
    if (
      code === LESS_THAN &&
      (text.startsWith(START_OF_TEXT, start) || text.startsWith(END_OF_TEXT, start))
    ) {
      end = start + (text.startsWith(START_OF_TEXT, start) ? START_OF_TEXT.length : END_OF_TEXT.length);
    } else if (code === APOSTROPHE && contractionLength(text, start) > 0) {
      end = start + contractionLength(text, start);
    } else if (isAsciiLower(code)) {
      while (end < length && isAsciiLower(text.charCodeAt(end))) end++;
    } else if (!isAsciiDigit(code)) {
      while (end < length) {
        const next = text.charCodeAt(end);
        if (isAsciiSpace(next) || isAsciiLower(next) || isAsciiDigit(next)) break;
        end++;
      }
    }
    words.push(text.slice(start, end));
    start = end;
  }
  return words;
}
