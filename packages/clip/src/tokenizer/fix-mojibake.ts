import { WINDOWS_1252_HIGH_CONTROLS, windows1252Byte } from './windows-1252';

// Characters that UTF-8 continuation bytes (0x80-0xBF) become when read as Latin-1 or Windows-1252.
const CONTINUATION =
  '\\u0080-\\u00bf\\u0152\\u0153\\u0160\\u0161\\u0178\\u017d\\u017e\\u0192\\u02c6\\u02dc\\u2013\\u2014\\u2018-\\u201a\\u201c-\\u201e\\u2020-\\u2022\\u2026\\u2030\\u2039\\u203a\\u20ac\\u2122';
// The same without dashes, quotes, bullet and ellipsis, which often stand for themselves beside mojibake.
const STRICT_CONTINUATION =
  '\\u0080-\\u00bf\\u0152\\u0153\\u0160\\u0161\\u0178\\u017d\\u017e\\u0192\\u02c6\\u02dc\\u2020\\u2021\\u2030\\u2039\\u203a\\u20ac\\u2122';

/** A UTF-8 lead byte's character followed by a continuation byte's, or a C1 control: worth a closer look. */
const MOJIBAKE_HINT = new RegExp(`[\\u0080-\\u009f]|[\\u00c2-\\u00f4][${CONTINUATION}]`);

/** Runs of complete UTF-8 sequences spelled in Latin-1/Windows-1252 characters, not inside a longer garble. */
const MOJIBAKE_RUN = new RegExp(
  `(?<![${STRICT_CONTINUATION}])(?:[\\u00c2-\\u00df][${CONTINUATION}]|[\\u00e0-\\u00ef][${CONTINUATION}]{2}|[\\u00f0-\\u00f4][${CONTINUATION}]{3})+`,
  'g',
);

const C1_CONTROL = /[\u0080-\u009f]/g;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes of `text` in Latin-1, or failing that in sloppy Windows-1252; undefined if neither fits. */
function singleByteEncoding(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length);
  let latin1 = true;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0xff) {
      latin1 = false;
      break;
    }
    bytes[index] = code;
  }
  if (latin1) return bytes;
  for (let index = 0; index < text.length; index++) {
    const byte = windows1252Byte(text.charCodeAt(index));
    if (byte < 0) return undefined;
    bytes[index] = byte;
  }
  return bytes;
}

/** `text` re-read as the UTF-8 it was before being mis-decoded as Latin-1/Windows-1252, if it was. */
function reinterpretAsUtf8(text: string): string | undefined {
  const bytes = singleByteEncoding(text);
  if (bytes === undefined) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Replaces C1 control characters with what Windows-1252 puts at those bytes (as browsers do). */
export function fixC1Controls(text: string): string {
  return text.replace(C1_CONTROL, (control) => WINDOWS_1252_HIGH_CONTROLS[control.charCodeAt(0) - 0x80]!);
}

function fixMojibakeOnce(text: string): string {
  if (!MOJIBAKE_HINT.test(text)) return text;
  const whole = reinterpretAsUtf8(text);
  if (whole !== undefined) return whole;
  const patched = text.replace(MOJIBAKE_RUN, (run) => reinterpretAsUtf8(run) ?? run);
  if (patched !== text) return patched;
  return fixC1Controls(text);
}

/**
 * Repairs UTF-8 text that was decoded as Latin-1 or Windows-1252, possibly several times over
 * ("cafÃ©" → "café", "doesnÃ¢â‚¬â„¢t" → "doesn’t"), the mojibake found in scraped captions. This is
 * the Latin-1/Windows-1252 part of ftfy's `fix_encoding`: the whole text is re-read as UTF-8 when it
 * decodes cleanly, otherwise each embedded run that does, and leftover C1 controls become their
 * Windows-1252 characters. ftfy also guesses at Cyrillic, Greek, Central European, MacRoman and
 * CP437 mix-ups and weighs a "badness" score before acting; those are not reproduced, so such text can
 * differ from CLIP's reference tokens (the Latin-1/Windows-1252 case is by far the common one).
 */
export function fixMojibake(text: string): string {
  let current = text;
  for (;;) {
    const next = fixMojibakeOnce(current);
    if (next === current) return current;
    current = next;
  }
}
