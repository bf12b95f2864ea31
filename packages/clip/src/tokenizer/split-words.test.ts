import { expect, test } from 'vitest';
import { cleanText, isPlainAscii } from './clean-text';
import { splitLowerAsciiWords, splitWords } from './split-words';

// Expected values are what CLIP's pattern finds with Python's `regex` module and IGNORECASE.
test('markers, contractions, letter runs, single digits and symbol runs', () => {
  expect(splitWords("it's 42! <|startoftext|>hi<|endoftext|> we'll--go")).toEqual([
    'it',
    "'s",
    '4',
    '2',
    '!',
    '<|startoftext|>',
    'hi',
    '<|endoftext|>',
    'we',
    "'ll",
    '--',
    'go',
  ]);
  expect(splitWords("'single' rock'n'roll")).toEqual(["'s", 'ingle', "'", 'rock', "'", 'n', "'", 'roll']);
});

test('case-insensitive literals follow simple case folding, including the long s', () => {
  expect(splitWords("x'ſ <|ſtartoftext|> 'S 'K")).toEqual(['x', "'ſ", '<|ſtartoftext|>', "'S", "'", 'K']);
});

test('U+0345 matches neither the letter nor the symbol class, as in the reference', () => {
  expect(splitWords('x\u0345y \u0345 a\u0345')).toEqual(['x', 'y', 'a']);
});

test('only Unicode White_Space separates symbol runs', () => {
  expect(splitWords('!\u00a0?\ufeff#')).toEqual(['!', '?\ufeff#']);
  expect(splitWords('')).toEqual([]);
});

test('the ASCII scanner finds the same words as cleaning plus the pattern', () => {
  const alphabet = 'aZ z\'sStTrReEvVmMlLdD09 \t\n!<|>.,;-_"()[]{}#%*+=/?@^`~$';
  const markers = ['<|startoftext|>', '<|endoftext|>', '<|ENDOFTEXT|>', "'re", "'ll", "'ve", "'S"];
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4_294_967_296;
  };
  for (let sample = 0; sample < 3000; sample++) {
    let text = '';
    const length = Math.floor(next() * 30);
    for (let index = 0; index < length; index++) {
      text +=
        next() < 0.1
          ? markers[Math.floor(next() * markers.length)]
          : alphabet[Math.floor(next() * alphabet.length)];
    }
    expect(isPlainAscii(text)).toBe(true);
    expect(splitLowerAsciiWords(text.toLowerCase())).toEqual(splitWords(cleanText(text)));
  }
  expect(isPlainAscii('a & b')).toBe(false);
  expect(isPlainAscii('a\rb')).toBe(false);
  expect(isPlainAscii('café')).toBe(false);
});
