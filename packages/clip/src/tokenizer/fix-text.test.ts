import { describe, expect, test } from 'vitest';
import { fixMojibake } from './fix-mojibake';
import { fixText } from './fix-text';

// Expected values are ftfy 6.3.1's fix_text on the same input.
describe('fixText', () => {
  test.each([
    ['cafÃ©', 'café'],
    ['The Mona Lisa doesnÃ¢â‚¬â„¢t have eyebrows.', "The Mona Lisa doesn't have eyebrows."],
    ['â€œquotedâ€\x9d and itâ€™s', '"quoted" and it\'s'],
    ['naïve café', 'naïve café'],
    ['“curly” ‘single’ ʼ', "\"curly\" 'single' '"],
    ['ﬁne ﬂuﬃest ĳs', 'fine fluffiest ijs'],
    ['ＬＯＵＤ\u3000ＮＯＩＳＥＳ ｶﾀｶﾅ', 'LOUD NOISES カタカナ'],
    ['a\r\nb\rc\u2028d\u2029e', 'a\nb\nc\nd\ne'],
    ['\x1b[36;44mblue\x1b[0m bird', 'blue bird'],
    ['bom\ufeff ctrl\x07\x0b', 'bom ctrl'],
    ['c1 \x80 \x85 \x93hi\x94', 'c1 € … "hi"'],
    ['P&EACUTE;REZ &ntilde; &NTILDE; &nTILDE; &amp &amp; &#59; &#x41;', 'PÉREZ ñ Ñ &nTILDE; &amp & &#59; A'],
    ['<b>&amp;</b> &eacute;', '<b>&amp;</b> &eacute;'],
    ['first line &amp;\n<p>\n&amp;', 'first line &\n<p>\n&amp;'],
    ['cafe\u0301 compose', 'café compose'],
    ['\u00c3\u00a9 and \u00e2\u0080\u0099', "é and '"],
    ['emoji 🐦 鸟', 'emoji 🐦 鸟'],
    ['plain ascii, untouched.', 'plain ascii, untouched.'],
    ['“ﬁne” ｆｕｌｌ caf&eacute; doesnÃ¢â‚¬â„¢t', '"fine" full café doesn\'t'],
  ])('%s', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });

  test('lone surrogates become U+FFFD and pairs stay', () => {
    expect(fixText('a\ud83d b\udc26 \ud83d\udc26')).toBe('a\ufffd b\ufffd 🐦');
  });
});

describe('fixMojibake', () => {
  test('undoes repeated Latin-1/Windows-1252 mis-decoding', () => {
    const once = new TextDecoder('windows-1252').decode(new TextEncoder().encode('“bird” café'));
    const twice = new TextDecoder('windows-1252').decode(new TextEncoder().encode(once));
    expect(fixMojibake(once)).toBe('“bird” café');
    expect(fixMojibake(twice)).toBe('“bird” café');
  });

  test('repairs an embedded run when the rest of the text is fine', () => {
    expect(fixMojibake('déjà vu and dÃ©jÃ\u00a0 vu')).toBe('déjà vu and déjà vu');
  });

  test('leaves correct text alone', () => {
    for (const text of ['naïve café', 'Ærø', 'São Paulo — 20 °C', 'Zürich ½', '鸟 🐦']) {
      expect(fixMojibake(text)).toBe(text);
    }
  });
});
