import { expect, test } from 'vitest';
import { cleanText } from './clean-text';

test('fixes, unescapes twice, collapses Python whitespace, trims and lower-cases', () => {
  expect(cleanText('  A &quot;Red&quot;\tBIRD  ')).toBe('a "red" bird');
  expect(cleanText('&amp;amp; &amp;lt;')).toBe('& <');
  expect(cleanText('one\u001ctwo\u0085three\u00a0four\u3000five')).toBe('onetwo…three four five');
  expect(cleanText('a\u2003b\u2028c\u202fd\u205fe')).toBe('a b c d e');
  expect(cleanText('ＦＵＬＬ ﬁne “Quote”')).toBe('full fine "quote"');
});

test('a U+FEFF from an entity survives as in Python, where it is not whitespace', () => {
  // '<' stops ftfy's own unescaping (which would let it delete the U+FEFF); CLIP's unescaping then makes it.
  expect(cleanText('a &#xfeff; <b')).toBe('a \ufeff <b');
});

test('rejects non-strings, naming what it got', () => {
  expect(() => cleanText(42 as unknown as string)).toThrow('cleanText: text must be a string, got number');
});
