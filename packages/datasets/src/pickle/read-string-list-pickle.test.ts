import { describe, expect, it } from 'vitest';
import { DatasetError } from '../errors';
import { readStringListPickle } from './read-string-list-pickle';
import { writeStringListPickle } from './write-string-list-pickle';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((pair) => Number.parseInt(pair, 16)));

/** `pickle.dumps(ITEMS, protocol=p)` from CPython 3, recorded once. */
const ITEMS = ['001.Black_footed_Albatross/Black_Footed_Albatross_0046_18', 'image_06734.jpg', '12'];
const PYTHON3_DUMPS: Record<number, string> = {
  0:
    '286c70300a563030312e426c61636b5f666f6f7465645f416c626174726f73732f426c61636b5f466f6f7465645f416c626174726f73735f' +
    '303034365f31380a70310a6156696d6167655f30363733342e6a70670a70320a615631320a70330a612e',
  2:
    '80025d71002858390000003030312e426c61636b5f666f6f7465645f416c626174726f73732f426c61636b5f466f6f7465645f416c626174' +
    '726f73735f303034365f31387101580f000000696d6167655f30363733342e6a70677102580200000031327103652e',
  4:
    '80049558000000000000005d94288c393030312e426c61636b5f666f6f7465645f416c626174726f73732f426c61636b5f466f6f746564' +
    '5f416c626174726f73735f303034365f3138948c0f696d6167655f30363733342e6a7067948c02313294652e',
  5:
    '80059558000000000000005d94288c393030312e426c61636b5f666f6f7465645f416c626174726f73732f426c61636b5f466f6f746564' +
    '5f416c626174726f73735f303034365f3138948c0f696d6167655f30363733342e6a7067948c02313294652e',
};

function errorOf(run: () => unknown): DatasetError {
  try {
    run();
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
}

describe('readStringListPickle', () => {
  it('reads the lists CPython writes with protocols 0, 2, 4 and 5', () => {
    for (const dump of Object.values(PYTHON3_DUMPS)) {
      expect(readStringListPickle(hex(dump), 'x.pickle')).toEqual(ITEMS);
    }
    expect(readStringListPickle(hex('80025d71005801000000617101612e'))).toEqual(['a']);
    expect(readStringListPickle(hex('80045d942e'))).toEqual([]);
    expect(readStringListPickle(hex('80049510000000000000005d948c09636166c3a920e29c9394612e'))).toEqual([
      'café ✓',
    ]);
  });

  it('reads Python 2 str pickles (SHORT_BINSTRING, BINSTRING, STRING) including memo references', () => {
    // Python 2: pickle.dump(['abc', 'abc'], f, 2) where both items are one object -> BINGET.
    expect(readStringListPickle(hex('80025d710028550361626371016801652e'))).toEqual(['abc', 'abc']);
    expect(
      readStringListPickle(new TextEncoder().encode("(lp0\nS'a\\'b\\x41'\np1\naS\"it's\"\np2\na.")),
    ).toEqual(["a'bA", "it's"]);
    expect(readStringListPickle(hex('80025d7100540300000078797a7101612e'))).toEqual(['xyz']);
    // A Latin-1 byte that is not UTF-8 falls back to Latin-1.
    expect(readStringListPickle(hex('80025d710055036361e97101612e'))).toEqual(['caé']);
    // Integer keys become decimal strings.
    expect(readStringListPickle(hex('80025d7100284b074d2c014afeffffff652e'))).toEqual(['7', '300', '-2']);
  });

  it('round-trips the writer at every protocol and item type, with more than one APPENDS batch', () => {
    const many = Array.from({ length: 2345 }, (_, i) => `class_${i % 7}/image_${String(i).padStart(5, '0')}`);
    many.push('ünïcode ✓', 'x'.repeat(300), 'back\\slash\nnewline');
    for (const protocol of [0, 2, 4] as const) {
      for (const itemType of ['str', 'unicode'] as const) {
        const bytes = writeStringListPickle(many, { protocol, itemType });
        expect(readStringListPickle(bytes)).toEqual(many);
      }
    }
  });

  it('writes the same bytes as CPython for small lists', () => {
    expect(writeStringListPickle(ITEMS, { protocol: 2, itemType: 'unicode' })).toEqual(
      hex(PYTHON3_DUMPS[2]!),
    );
    expect(writeStringListPickle(ITEMS, { protocol: 4 })).toEqual(hex(PYTHON3_DUMPS[4]!));
    expect(writeStringListPickle(ITEMS, { protocol: 0, itemType: 'unicode' })).toEqual(
      hex(PYTHON3_DUMPS[0]!),
    );
    expect(writeStringListPickle([], { protocol: 4 })).toEqual(hex('80045d942e'));
  });

  it('refuses anything but a list of strings, naming the file and what it found', () => {
    const tuple = errorOf(() =>
      readStringListPickle(hex('8002580100000061710058010000006271018671022e'), 'a/t.pickle'),
    );
    expect(tuple.code).toBe('bad-pickle');
    expect(tuple.path).toBe('a/t.pickle');
    expect(tuple.message).toMatch(/a\/t\.pickle: does not hold a single list of strings \(found a tuple\)/);

    const dict = errorOf(() => readStringListPickle(hex('80027d710058010000006171014b01732e'), 'd.pickle'));
    expect(dict.message).toMatch(/d\.pickle: does not hold a single list of strings \(found a dict\)/);

    const floats = errorOf(() => readStringListPickle(hex('80025d7100473ff8000000000000612e'), 'f.pickle'));
    expect(floats.message).toMatch(/f\.pickle: list items must be strings, but item 0 is a number/);

    // A numpy array pickle starts with GLOBAL 'numpy.core.multiarray _reconstruct': never resolved.
    const global = errorOf(() =>
      readStringListPickle(
        Uint8Array.from([0x80, 0x02, ...new TextEncoder().encode('cnumpy.core.multiarray\n_reconstruct\n')]),
        'n.pickle',
      ),
    );
    expect(global.message).toMatch(
      /n\.pickle: refusing global 'numpy\.core\.multiarray\._reconstruct'.*at byte 2/,
    );
  });

  it('reports truncated, empty, nested and non-list pickles clearly', () => {
    const full = writeStringListPickle(ITEMS);
    expect(errorOf(() => readStringListPickle(full.subarray(0, 20), 'cut.pickle')).message).toMatch(
      /cut\.pickle: needs \d+ more bytes .*truncated/,
    );
    expect(errorOf(() => readStringListPickle(new Uint8Array(0), 'empty.pickle')).message).toMatch(
      /empty\.pickle: needs 1 more bytes/,
    );
    expect(errorOf(() => readStringListPickle(hex('80025d5d612e'), 'nested.pickle')).message).toMatch(
      /list items must be strings, but item 0 is a list/,
    );
    expect(
      errorOf(() => readStringListPickle(hex('8002550161 2e'.replace(/ /g, '')), 's.pickle')).message,
    ).toMatch(/does not hold a single list of strings \(found a string\)/);
    expect(
      errorOf(() => readStringListPickle(hex('8006 5d2e'.replace(/ /g, '')), 'p.pickle')).message,
    ).toMatch(/unsupported pickle protocol/);
  });
});
