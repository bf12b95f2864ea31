import { fixC1Controls, fixMojibake } from './fix-mojibake';
import { unescapeHtmlEntitiesStrictly } from './html-unescape';

/** Latin ligatures and legacy digraphs that are almost always copy-paste accidents. */
const LATIN_LIGATURES: Readonly<Record<string, string>> = {
  Ĳ: 'IJ',
  ĳ: 'ij',
  ŉ: 'ʼn',
  Ǳ: 'DZ',
  ǲ: 'Dz',
  ǳ: 'dz',
  Ǆ: 'DŽ',
  ǅ: 'Dž',
  ǆ: 'dž',
  Ǉ: 'LJ',
  ǈ: 'Lj',
  ǉ: 'lj',
  Ǌ: 'NJ',
  ǋ: 'Nj',
  ǌ: 'nj',
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'ſt',
  ﬆ: 'st',
};
const LATIN_LIGATURE = new RegExp(`[${Object.keys(LATIN_LIGATURES).join('')}]`, 'g');

/** Fullwidth and halfwidth forms (U+FF01-U+FFEF) and the ideographic space. */
const WIDE_OR_NARROW = /[\u3000\uff01-\uffef]/g;
const SINGLE_CURLY_QUOTE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_CURLY_QUOTE = /[\u201c-\u201f]/g;
const LINE_BREAK = /\r\n|[\r\u2028\u2029\u0085]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC, which is what this removes.
const TERMINAL_ESCAPE = /\u001b\[[\p{Nd};]*[a-zA-Z]/gu;
/** Controls that are never meant in text (whitespace-producing ones excepted), BOM, and a few format characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point of this pattern.
const UNWANTED_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/** Text none of the fixes can change: printable ASCII, tabs and newlines, no `&`. */
const NOTHING_TO_FIX = /^[\t\n\u0020-\u0025\u0027-\u007e]*$/;

function narrowOrWiden(character: string): string {
  if (character === '\u3000') return ' ';
  return character.normalize('NFKC');
}

function fixSegment(segment: string, unescapeEntities: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescapeEntities) text = unescapeHtmlEntitiesStrictly(text);
    text = fixMojibake(text);
    text = fixC1Controls(text);
    text = text.replace(LATIN_LIGATURE, (ligature) => LATIN_LIGATURES[ligature]!);
    text = text.replace(WIDE_OR_NARROW, narrowOrWiden);
    text = text.replace(SINGLE_CURLY_QUOTE, "'").replace(DOUBLE_CURLY_QUOTE, '"');
    text = text.replace(LINE_BREAK, '\n');
    text = text.replace(LONE_SURROGATE, '\ufffd');
    text = text.replace(TERMINAL_ESCAPE, '');
    text = text.replace(UNWANTED_CONTROL, '');
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

/**
 * The parts of `ftfy.fix_text` (ftfy 6, default settings) that CLIP's tokenizer relies on, applied
 * line by line until nothing changes, as ftfy does: HTML entities closed by `;` (skipped from the first
 * line containing `<` on, since that text may be real HTML), Latin-1/Windows-1252 mojibake (see
 * `fixMojibake`), C1 controls as Windows-1252, Latin ligatures split (ﬁ → fi), fullwidth and halfwidth
 * forms to normal width, curly quotes straightened, line breaks unified, lone surrogates to U+FFFD,
 * terminal colour codes and stray control characters removed, and NFC normalisation.
 *
 * Every step but the mojibake repair matches ftfy exactly. ftfy decides which mojibake to repair with a
 * heuristic score over hundreds of characters and also tries other code pages, so on unusual mojibake
 * the two can differ: ftfy does not repair "Â¥" or a lone "â„¢", while this does.
 *
 * @example fixText('“ﬁne” ｆｕｌｌ caf&eacute; doesnÃ¢â‚¬â„¢t') // '"fine" full café doesn\'t'
 */
export function fixText(text: string): string {
  if (NOTHING_TO_FIX.test(text)) return text;
  let unescapeEntities = true;
  const fixed: string[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline + 1;
    const segment = text.slice(start, end);
    if (unescapeEntities && segment.includes('<')) unescapeEntities = false;
    fixed.push(fixSegment(segment, unescapeEntities));
    start = end;
  }
  return fixed.join('');
}
