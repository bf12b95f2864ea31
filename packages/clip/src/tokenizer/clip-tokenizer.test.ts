import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fixturePath, readFixture, readJsonFixture } from '@ratlip/runtime/testing';
import { beforeAll, describe, expect, test } from 'vitest';
import { BpeVocabulary, CLIP_MERGE_COUNT } from './bpe-vocabulary';
import { cleanText } from './clean-text';
import { ClipTokenizer } from './clip-tokenizer';
import { splitWords } from './split-words';

interface TokenizerCase {
  text: string;
  cleaned: string;
  bpe_ids: number[];
  bpe_strings: string[];
  ids_with_sot_eot: number[];
  tokenize_77_truncate: number[];
  tokenize_77_raises_without_truncate: boolean;
  decode: string;
}

interface TokenizerCases {
  meta: {
    vocab_size: number;
    sot: number;
    eot: number;
    pad: number;
    context_length: number;
    merges_used: number;
    first_vocab_entries: string[];
    vocab_ids_256_260: string[];
    vocab_id_512: string;
    vocab_id_49405: string;
  };
  cases: TokenizerCase[];
}

const fixture = readJsonFixture<TokenizerCases>('clip/tokenizer_cases.json');
const { meta } = fixture;
let tokenizer: ClipTokenizer;

beforeAll(async () => {
  tokenizer = await ClipTokenizer.load();
});

function row(ids: Int32Array, index: number, contextLength: number): number[] {
  return Array.from(ids.subarray(index * contextLength, (index + 1) * contextLength));
}

describe('vocabulary', () => {
  test('has the reference size, markers and entries', () => {
    expect(tokenizer.vocabularySize).toBe(meta.vocab_size);
    expect(tokenizer.startOfTextId).toBe(meta.sot);
    expect(tokenizer.endOfTextId).toBe(meta.eot);
    expect(tokenizer.vocabulary.mergeCount).toBe(meta.merges_used);
    const vocabulary = tokenizer.vocabulary;
    expect(meta.first_vocab_entries.map((_token, id) => vocabulary.token(id))).toEqual(
      meta.first_vocab_entries,
    );
    expect(meta.vocab_ids_256_260.map((_token, offset) => vocabulary.token(256 + offset))).toEqual(
      meta.vocab_ids_256_260,
    );
    expect(vocabulary.token(512)).toBe(meta.vocab_id_512);
    expect(vocabulary.token(49405)).toBe(meta.vocab_id_49405);
    expect(vocabulary.token(meta.sot)).toBe('<|startoftext|>');
    expect(vocabulary.id('<|endoftext|>')).toBe(meta.eot);
  });

  test('bundled merges are the first 48,894 of the reference merges file', () => {
    const merges = gunzipSync(readFileSync(fixturePath('../data/bpe_simple_vocab_16e6.txt.gz'))).toString(
      'utf8',
    );
    const reference = BpeVocabulary.fromMergesText(merges, CLIP_MERGE_COUNT, 'bpe_simple_vocab_16e6.txt.gz');
    expect(tokenizer.vocabulary.mergeIdPairs()).toEqual(reference.mergeIdPairs());
    const lines = merges.split('\n');
    for (const rank of [0, 1, 1000, CLIP_MERGE_COUNT - 1]) {
      expect(tokenizer.vocabulary.token(512 + rank)).toBe(lines[rank + 1]!.replace(' ', ''));
    }
  });
});

describe.each(fixture.cases.map((testCase, index) => ({ ...testCase, index })))(
  'reference case $index',
  (testCase) => {
    test('cleaning, BPE ids and token strings', () => {
      const expectedCleaned = testCase.cleaned.trim().split(/\s+/).join(' ').toLowerCase();
      expect(cleanText(testCase.text)).toBe(expectedCleaned);
      const ids = tokenizer.encode(testCase.text);
      expect(ids).toEqual(testCase.bpe_ids);
      expect(ids.map((id) => tokenizer.vocabulary.token(id))).toEqual(testCase.bpe_strings);
    });

    test('tokenize with truncation', () => {
      const batch = tokenizer.tokenize(testCase.text, { contextLength: meta.context_length, truncate: true });
      expect(Array.from(batch.ids)).toEqual(testCase.tokenize_77_truncate);
      expect(batch.count).toBe(1);
      const untruncated = testCase.ids_with_sot_eot;
      expect(batch.lengths[0]).toBe(Math.min(untruncated.length, meta.context_length));
    });

    test('tokenize without truncation', () => {
      const run = () => tokenizer.tokenize([testCase.text], { contextLength: meta.context_length });
      if (testCase.tokenize_77_raises_without_truncate) {
        expect(run).toThrow(
          new RegExp(
            `text 0 .*is ${testCase.ids_with_sot_eot.length} tokens.*context length ${meta.context_length}`,
          ),
        );
      } else {
        const batch = run();
        expect(row(batch.ids, 0, meta.context_length)).toEqual(testCase.tokenize_77_truncate);
        expect(row(batch.ids, 0, meta.context_length).slice(0, batch.lengths[0])).toEqual(
          testCase.ids_with_sot_eot,
        );
      }
    });

    test('decode', () => {
      expect(tokenizer.decode(testCase.bpe_ids)).toBe(testCase.decode);
      expect(tokenizer.decode(testCase.ids_with_sot_eot, { skipSpecialTokens: true })).toBe(
        tokenizer.decode(testCase.ids_with_sot_eot.slice(1, testCase.ids_with_sot_eot.indexOf(meta.eot))),
      );
    });
  },
);

test('batch tokenization of every case at once matches the per-case rows', () => {
  const texts = fixture.cases.map((testCase) => testCase.text);
  const batch = tokenizer.tokenize(texts, { truncate: true });
  expect(batch.count).toBe(texts.length);
  expect(batch.contextLength).toBe(meta.context_length);
  fixture.cases.forEach((testCase, index) => {
    expect(row(batch.ids, index, meta.context_length)).toEqual(testCase.tokenize_77_truncate);
    expect(batch.eotIndices[index]).toBe(testCase.tokenize_77_truncate.indexOf(meta.eot));
  });
});

test('tiny_clip_io text.ids and eot indices come from its caption list', () => {
  const io = readFixture('clip/tiny_clip_io.safetensors');
  const texts = JSON.parse(io.metadata['text_rows']!) as string[];
  const [count, contextLength] = io.entry('text.ids').shape as [number, number];
  expect(texts).toHaveLength(count);
  const batch = tokenizer.tokenize(texts, { contextLength, truncate: true });
  expect(Array.from(batch.ids)).toEqual(Array.from(io.float32('text.ids')));
  expect(Array.from(batch.eotIndices)).toEqual(Array.from(io.float32('text.eot_index')));
});

describe('tokenize', () => {
  test('context length is configurable and truncation keeps the end marker last', () => {
    const text = 'a small bird with a red head and a white belly';
    const full = tokenizer.encode(text);
    const batch = tokenizer.tokenize(text, { contextLength: 6, truncate: true });
    expect(Array.from(batch.ids)).toEqual([meta.sot, ...full.slice(0, 4), meta.eot]);
    expect(batch.lengths[0]).toBe(6);
    expect(batch.eotIndices[0]).toBe(5);
    const roomy = tokenizer.tokenize(text, { contextLength: full.length + 5 });
    expect(Array.from(roomy.ids)).toEqual([meta.sot, ...full, meta.eot, 0, 0, 0]);
    expect(() => tokenizer.tokenize(text, { contextLength: 6 })).toThrow(
      `is ${full.length + 2} tokens with its markers, longer than the context length 6`,
    );
  });

  test('an exact fit is not truncated', () => {
    const text = 'red bird';
    const length = tokenizer.encode(text).length + 2;
    const batch = tokenizer.tokenize(text, { contextLength: length });
    expect(batch.lengths[0]).toBe(length);
  });

  test('a literal end-of-text marker is where CLIP pools', () => {
    const batch = tokenizer.tokenize('a <|endoftext|> b', { truncate: true });
    expect(batch.eotIndices[0]).toBe(2);
    expect(batch.lengths[0]).toBe(5);
  });

  test('an empty list gives an empty batch', () => {
    const batch = tokenizer.tokenize([]);
    expect(batch.count).toBe(0);
    expect(batch.ids).toHaveLength(0);
  });
});

describe('decode', () => {
  const texts = [
    'A small bird with a red head, white belly and short pointed beak.',
    "It's 2024: the bird's wings aren't blue!",
    'café crème brûlée — naïve résumé 🐦 鸟',
    'html &amp; entities &lt;b&gt;',
  ];

  test.each(texts)('round trip of %s gives the cleaned words, each followed by a space', (text) => {
    const ids = tokenizer.encode(text);
    const words = splitWords(cleanText(text));
    expect(tokenizer.decode(ids)).toBe(words.map((word) => `${word} `).join(''));
    expect(tokenizer.encode(tokenizer.decode(ids))).toEqual(ids);
  });

  test('a tokenized row decodes without markers and padding when asked', () => {
    const batch = tokenizer.tokenize('a red bird');
    const firstRow = batch.ids.subarray(0, batch.contextLength);
    expect(tokenizer.decode(firstRow, { skipSpecialTokens: true })).toBe('a red bird ');
    expect(tokenizer.decode(firstRow)).toMatch(/^<\|startoftext\|>a red bird <\|endoftext\|>!!!/);
  });

  test('bytes that are not valid UTF-8 decode to U+FFFD', () => {
    const byteOfE9 = tokenizer.encode('é')[0]!;
    expect(tokenizer.vocabulary.token(byteOfE9)).toBe('Ã©</w>');
    const leadOnly = tokenizer.vocabulary.id('Ã')!;
    expect(tokenizer.decode([leadOnly, tokenizer.vocabulary.id('a</w>')!])).toBe('\ufffda ');
  });
});

describe('word cache', () => {
  const captions = [
    'this bird has a red crown and a white belly',
    'the bird has a red crown, white belly and black wings',
    'a small bird with a short pointed bill and a white belly',
    'résumé of a bird: crown red, belly white, wings black',
  ];

  test('cached, uncached and tiny-cache tokenizers agree', async () => {
    const uncached = await ClipTokenizer.load({ cacheCapacity: 0 });
    const tiny = await ClipTokenizer.load({ cacheCapacity: 3 });
    const cached = await ClipTokenizer.load();
    for (let pass = 0; pass < 2; pass++) {
      for (const caption of captions) {
        const expected = uncached.encode(caption);
        expect(cached.encode(caption)).toEqual(expected);
        expect(tiny.encode(caption)).toEqual(expected);
      }
    }
    expect(uncached.cachedWordCount).toBe(0);
    expect(tiny.cachedWordCount).toBeLessThanOrEqual(3);
    expect(cached.cachedWordCount).toBe(
      new Set(captions.flatMap((caption) => splitWords(cleanText(caption)))).size,
    );
  });

  test('results are not shared between tokenizers and survive clearing', async () => {
    const first = await ClipTokenizer.load();
    const ids = first.encode(captions[0]!);
    expect(first.cachedWordCount).toBeGreaterThan(0);
    const second = await ClipTokenizer.load();
    expect(second.cachedWordCount).toBe(0);
    expect(second.vocabulary).toBe(first.vocabulary);
    first.clearCache();
    expect(first.cachedWordCount).toBe(0);
    expect(first.encode(captions[0]!)).toEqual(ids);
  });

  test('callers cannot corrupt cached results', () => {
    const ids = tokenizer.encode('bird bird');
    ids.push(1, 2, 3);
    ids[0] = 7;
    expect(tokenizer.encode('bird bird')).toEqual([3329, 3329]);
  });
});

describe('bad input', () => {
  test.each([
    [123, 'number'],
    [null, 'null'],
    [undefined, 'undefined'],
    [['a'], 'an array'],
  ])('encode(%s) names the argument and what it got', (value, got) => {
    expect(() => tokenizer.encode(value as unknown as string)).toThrow(
      `ClipTokenizer.encode: text must be a string, got ${got}`,
    );
  });

  test('tokenize names the offending text or option', () => {
    expect(() => tokenizer.tokenize(['a bird', 5] as unknown as string[])).toThrow(
      'texts[1] must be a string, got number',
    );
    expect(() => tokenizer.tokenize(42 as unknown as string)).toThrow(
      'texts must be a string or an array of strings, got number',
    );
    expect(() => tokenizer.tokenize('a', { contextLength: 1 })).toThrow(
      'contextLength must be an integer >= 2',
    );
    expect(() => tokenizer.tokenize('a', { contextLength: 7.5 })).toThrow('got 7.5');
  });

  test('decode names the position of an unknown id', () => {
    expect(() => tokenizer.decode([320, 49408])).toThrow('ids[1] is 49408, not a token id in [0, 49408)');
    expect(() => tokenizer.decode([-1])).toThrow('ids[0] is -1');
    expect(() => tokenizer.decode([1.5])).toThrow('ids[0] is 1.5');
    expect(() => tokenizer.decode('abc' as unknown as number[])).toThrow('ids must be an array of token ids');
  });

  test('cache capacity must be a non-negative integer', async () => {
    await expect(ClipTokenizer.load({ cacheCapacity: -1 })).rejects.toThrow('cacheCapacity must be');
  });
});

test('the class documentation example gives what it says', async () => {
  const documented = await ClipTokenizer.load();
  expect(documented.encode('A small bird.')).toEqual([320, 2442, 3329, 269]);
  const batch = documented.tokenize(['a red bird', 'a yellow flower'], { truncate: true });
  expect(Array.from(batch.ids.subarray(0, 5))).toEqual([49406, 320, 736, 3329, 49407]);
  expect(documented.decode(batch.ids.subarray(0, 77), { skipSpecialTokens: true })).toBe('a red bird ');
});
