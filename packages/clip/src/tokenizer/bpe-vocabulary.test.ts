import { describe, expect, test } from 'vitest';
import { BpeVocabulary } from './bpe-vocabulary';
import { bytePairEncode } from './byte-pair-encoding';

const HEADER = '#version: 0.2\n';

function ids(vocabulary: BpeVocabulary, tokens: string[]): number[] {
  return tokens.map((token) => vocabulary.id(token)!);
}

function bpe(vocabulary: BpeVocabulary, word: string): string[] {
  return bytePairEncode(new TextEncoder().encode(word), vocabulary).map((id) => vocabulary.token(id));
}

describe('BpeVocabulary', () => {
  test('lays out bytes, word-final bytes, merges and the two markers', () => {
    const vocabulary = BpeVocabulary.fromMergesText(`${HEADER}a b\nab c</w>\n`, 2);
    expect(vocabulary.size).toBe(516);
    expect(vocabulary.token(512)).toBe('ab');
    expect(vocabulary.token(513)).toBe('abc</w>');
    expect(vocabulary.token(514)).toBe('<|startoftext|>');
    expect(vocabulary.endOfTextId).toBe(515);
    expect(vocabulary.rank(vocabulary.id('ab')!, vocabulary.id('c</w>')!)).toBe(1);
    expect(vocabulary.rank(vocabulary.id('c')!, vocabulary.id('a')!)).toBeUndefined();
    expect(BpeVocabulary.fromMergePairs(vocabulary.mergeIdPairs()).token(513)).toBe('abc</w>');
  });

  test('rejects malformed merges, naming the line', () => {
    expect(() => BpeVocabulary.fromMergesText(`${HEADER}a b`, 2, 'toy.txt')).toThrow(
      'toy.txt: needs 2 merges after the header line, found 1',
    );
    expect(() => BpeVocabulary.fromMergesText(`${HEADER}a b c\n`, 1, 'toy.txt')).toThrow(
      'toy.txt: line 2 "a b c" is not two earlier tokens',
    );
    expect(() => BpeVocabulary.fromMergesText(`${HEADER}ab c\n`, 1, 'toy.txt')).toThrow('line 2 "ab c"');
    expect(() => BpeVocabulary.fromMergesText(`${HEADER}a bc\na b\nab c\n`, 1, 'toy.txt')).toThrow('line 2');
    expect(() => BpeVocabulary.fromMergesText(`${HEADER}a b\nab c\na bc\n`, 3, 'toy.txt')).toThrow(
      'toy.txt: line 4 "a bc" is not two earlier tokens',
    );
    expect(() => BpeVocabulary.fromMergesText(`${HEADER}a b\nab c\nb c\na bc\n`, 4, 'toy.txt')).toThrow(
      'toy.txt: line 5 "a bc" makes token "abc" a second time',
    );
    expect(() => BpeVocabulary.fromMergesText(HEADER, -1)).toThrow(
      'mergeCount must be a non-negative integer',
    );
  });

  test('rejects malformed id pairs, naming the merge', () => {
    expect(() => BpeVocabulary.fromMergePairs([1, 2, 3], 'pairs')).toThrow('pairs: expected an even number');
    expect(() => BpeVocabulary.fromMergePairs([1, 512], 'pairs')).toThrow(
      'pairs: merge 0 joins ids 1 and 512, but only ids below 512 exist before it',
    );
    expect(() => BpeVocabulary.fromMergePairs([1, 2, 1, 2], 'pairs')).toThrow(
      'pairs: merge 1 repeats merge 0',
    );
    expect(() => BpeVocabulary.fromMergePairs([1, 2.5], 'pairs')).toThrow('pairs: entry 1 is 2.5');
    expect(() => BpeVocabulary.fromBase64MergePairs('AAA=', 'b64')).toThrow(
      'b64: 2 bytes is not a whole number',
    );
  });

  test('token() names an unknown id', () => {
    const vocabulary = BpeVocabulary.fromMergesText(HEADER, 0);
    expect(() => vocabulary.token(514)).toThrow('token id 514 is not an integer in [0, 514)');
  });
});

describe('bytePairEncode', () => {
  test('merges the lowest-ranked pair everywhere, left to right, without overlap', () => {
    const vocabulary = BpeVocabulary.fromMergesText(`${HEADER}a a\na a</w>\naa aa\n`, 3);
    expect(bpe(vocabulary, 'aaa')).toEqual(['aa', 'a</w>']);
    expect(bpe(vocabulary, 'aaaa')).toEqual(['aa', 'aa</w>']);
    expect(bpe(vocabulary, 'aaaaa')).toEqual(['aaaa', 'a</w>']);
    expect(bpe(vocabulary, 'a')).toEqual(['a</w>']);
  });

  test('lower ranks win regardless of position', () => {
    const vocabulary = BpeVocabulary.fromMergesText(`${HEADER}b c</w>\na b\n`, 2);
    expect(bpe(vocabulary, 'abc')).toEqual(['a', 'bc</w>']);
    expect(ids(vocabulary, ['a', 'bc</w>'])).toEqual(
      bytePairEncode(new TextEncoder().encode('abc'), vocabulary),
    );
  });

  test('works on UTF-8 bytes, spelled with CLIP byte symbols', () => {
    const vocabulary = BpeVocabulary.fromMergesText(`${HEADER}Ã ©</w>\n`, 1);
    expect(bpe(vocabulary, 'é')).toEqual(['Ã©</w>']);
    expect(bpe(vocabulary, ' ')).toEqual(['Ġ</w>']);
  });

  test('rejects an empty word', () => {
    const vocabulary = BpeVocabulary.fromMergesText(HEADER, 0);
    expect(() => bytePairEncode(new Uint8Array(0), vocabulary)).toThrow('a word needs at least one byte');
  });
});
