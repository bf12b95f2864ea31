import { HTML_ENTITY_TABLE } from './html-entity-table';
import { WINDOWS_1252_HIGH_CONTROLS } from './windows-1252';

let namedReferences: Map<string, string> | undefined;

/** Entity name (with its `;` where the HTML table has one) to replacement text; parsed on first use. */
function htmlNamedReferences(): Map<string, string> {
  if (namedReferences === undefined) {
    namedReferences = new Map();
    for (const entry of HTML_ENTITY_TABLE.split(',')) {
      const separator = entry.indexOf('=');
      const codePoints = entry
        .slice(separator + 1)
        .split('+')
        .map((hex) => Number.parseInt(hex, 16));
      namedReferences.set(entry.slice(0, separator), String.fromCodePoint(...codePoints));
    }
  }
  return namedReferences;
}

const CHARACTER_REFERENCE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/** Code points a numeric reference may not produce; the HTML standard drops them. */
function isDroppedCodePoint(codePoint: number): boolean {
  return (
    (codePoint >= 0x1 && codePoint <= 0x8) ||
    codePoint === 0xb ||
    (codePoint >= 0xe && codePoint <= 0x1f) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0xfdd0 && codePoint <= 0xfdef) ||
    (codePoint & 0xfffe) === 0xfffe
  );
}

function numericReference(body: string): string {
  const hex = body[1] === 'x' || body[1] === 'X';
  const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
  const codePoint = Number.parseInt(digits, hex ? 16 : 10);
  if (codePoint === 0) return '\ufffd';
  if (codePoint === 0x0d) return '\r';
  if (codePoint >= 0x80 && codePoint <= 0x9f) return WINDOWS_1252_HIGH_CONTROLS[codePoint - 0x80]!;
  if ((codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return '\ufffd';
  if (isDroppedCodePoint(codePoint)) return '';
  return String.fromCodePoint(codePoint);
}

function namedReference(body: string): string {
  const references = htmlNamedReferences();
  const whole = references.get(body);
  if (whole !== undefined) return whole;
  // The standard resolves the longest known name that prefixes the text (only legacy names such as
  // "amp" or "eacute" are valid without a semicolon), keeping what follows it.
  const codePoints = Array.from(body);
  for (let length = codePoints.length - 1; length > 1; length--) {
    const prefix = codePoints.slice(0, length).join('');
    const replacement = references.get(prefix);
    if (replacement !== undefined) return replacement + codePoints.slice(length).join('');
  }
  return '&' + body;
}

/**
 * Decodes HTML character references exactly as Python's `html.unescape` does (which CLIP applies twice
 * to every caption): named references from the HTML standard's table, with or without `;` for the
 * legacy names and longest-prefix matching; decimal and hex references, with the standard's fixes for
 * invalid code points (0x80-0x9F read as Windows-1252, surrogates and out-of-range values as U+FFFD).
 *
 * @example unescapeHtml('&lt;b&gt; caf&eacute; &amp;amp;') // '<b> café &amp;'
 */
export function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARACTER_REFERENCE, (_match, body: string) =>
    body[0] === '#' ? numericReference(body) : namedReference(body),
  );
}

const STRICT_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

let strictEntities: Map<string, string> | undefined;

/**
 * ftfy's entity table: every `&name;` of the HTML table, plus the all-caps spelling of each lower-case
 * name (`&EACUTE;` as 'É') when that spelling means nothing else.
 */
function strictEntityTable(): Map<string, string> {
  if (strictEntities === undefined) {
    strictEntities = new Map();
    for (const [name, replacement] of htmlNamedReferences()) {
      if (!name.endsWith(';')) continue;
      strictEntities.set('&' + name, replacement);
      if (name === name.toLowerCase()) {
        const upper = '&' + name.toUpperCase();
        if (unescapeHtml(upper) === upper) strictEntities.set(upper, replacement.toUpperCase());
      }
    }
  }
  return strictEntities;
}

/**
 * ftfy's cautious entity decoding: only references closed by `;` (so "this&not that" stays), numeric
 * ones only when the whole reference is consumed, and all-caps names such as `&NTILDE;`.
 *
 * @example unescapeHtmlEntitiesStrictly('P&EACUTE;REZ &amp &amp;') // 'PÉREZ &amp &'
 */
export function unescapeHtmlEntitiesStrictly(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(STRICT_ENTITY, (reference) => {
    const named = strictEntityTable().get(reference);
    if (named !== undefined) return named;
    if (reference.startsWith('&#')) {
      const decoded = unescapeHtml(reference);
      return decoded.includes(';') ? reference : decoded;
    }
    return reference;
  });
}
