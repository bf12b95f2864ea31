/**
 * What Windows-1252 puts at bytes 0x80-0x9F, indexed by `byte - 0x80`. The five bytes Windows-1252
 * leaves undefined keep their C1 control character, as browsers (and Python's `html.unescape`) do.
 */
export const WINDOWS_1252_HIGH_CONTROLS: readonly string[] = [
  '\u20ac',
  '\x81',
  '\u201a',
  '\u0192',
  '\u201e',
  '\u2026',
  '\u2020',
  '\u2021',
  '\u02c6',
  '\u2030',
  '\u0160',
  '\u2039',
  '\u0152',
  '\x8d',
  '\u017d',
  '\x8f',
  '\x90',
  '\u2018',
  '\u2019',
  '\u201c',
  '\u201d',
  '\u2022',
  '\u2013',
  '\u2014',
  '\u02dc',
  '\u2122',
  '\u0161',
  '\u203a',
  '\u0153',
  '\x9d',
  '\u017e',
  '\u0178',
];

const WINDOWS_1252_BYTE_OF = new Map<number, number>(
  WINDOWS_1252_HIGH_CONTROLS.map((character, offset) => [character.charCodeAt(0), 0x80 + offset]),
);

/**
 * The byte a character has in "sloppy" Windows-1252 (Windows-1252 whose five undefined bytes decode to
 * the C1 controls of the same value), or -1 when it has none. Characters below 0x80 and 0xA0-0xFF are
 * their own byte.
 */
export function windows1252Byte(charCode: number): number {
  if (charCode < 0x80 || (charCode >= 0xa0 && charCode <= 0xff)) return charCode;
  return WINDOWS_1252_BYTE_OF.get(charCode) ?? -1;
}
