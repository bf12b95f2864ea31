import { describe, expect, test } from 'vitest';
import { unescapeHtml, unescapeHtmlEntitiesStrictly } from './html-unescape';

// Expected values are Python 3.11's html.unescape and ftfy 6.3.1's unescape_html on the same input.
describe('unescapeHtml (Python html.unescape)', () => {
  test.each([
    ['&amp; &lt;b&gt; &quot;q&quot; &#39;s&#39;', '& <b> "q" \'s\''],
    ['&amp;amp;', '&amp;'],
    ['&eacute &eacutex &notit; &notin; &ampx', 'é éx ¬it; ∉ &x'],
    [
      '&#0; &#13; &#128; &#x9d; &#xd800; &#x110000; &#1; &#xfffe; &#65;&#x42;&#X43',
      '\ufffd \r € \x9d \ufffd \ufffd   ABC',
    ],
    ['&#99999999999999999999; &; &#; &#x; &#xZ; & amp;', '\ufffd &; &#; &#x; &#xZ; & amp;'],
    ['&ThickSpace; &NotEqualTilde; &fjlig;', '\u205f\u200a \u2242\u0338 fj'],
    ['no entities here', 'no entities here'],
    ['&AMP &Aacute &aacute &AElig', '& Á á Æ'],
    ['&lt;b&gt; caf&eacute; &amp;amp;', '<b> café &amp;'],
  ])('%s', (input, expected) => {
    expect(unescapeHtml(input)).toBe(expected);
  });
});

describe('unescapeHtmlEntitiesStrictly (ftfy)', () => {
  test('decodes only references closed by a semicolon, and all-caps names', () => {
    expect(
      unescapeHtmlEntitiesStrictly('P&EACUTE;REZ &ntilde; &NTILDE; &nTILDE; &amp &amp; &#59; &#x41;'),
    ).toBe('PÉREZ ñ Ñ &nTILDE; &amp & &#59; A');
    expect(unescapeHtmlEntitiesStrictly('BUNDESSTRA&SZLIG;E')).toBe('BUNDESSTRASSE');
    expect(unescapeHtmlEntitiesStrictly('this&not that')).toBe('this&not that');
  });
});
