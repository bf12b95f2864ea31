import { fixText } from './fix-text';
import { unescapeHtml } from './html-unescape';

/**
 * Python's whitespace (`str.isspace`, which `re`'s `\s` and `str.strip` use). It differs from
 * JavaScript's `\s`: it includes U+001C-U+001F and U+0085 and excludes U+FEFF.
 */
export const PYTHON_WHITESPACE =
  '\\t\\n\\u000b\\f\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITESPACE_RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`, 'g');
const EDGE_WHITESPACE = new RegExp(`^[${PYTHON_WHITESPACE}]+|[${PYTHON_WHITESPACE}]+$`, 'g');

const PLAIN_ASCII = /^[\t\n\u0020-\u0025\u0027-\u007e]*$/;

/**
 * Whether `text` is printable ASCII with only spaces, tabs and newlines as whitespace and no `&`. For
 * such text ftfy and HTML unescaping change nothing, so `cleanText` only collapses whitespace and
 * lower-cases it.
 */
export function isPlainAscii(text: string): boolean {
  return PLAIN_ASCII.test(text);
}

/**
 * CLIP's text normalisation before splitting into words, step for step: `fixText` (ftfy), HTML
 * unescaping twice (so `&amp;amp;` becomes `&`), every whitespace run to one space, trimmed, then
 * lower-cased.
 *
 * @example cleanText('  A &quot;Red&quot;\tBIRD  ') // 'a "red" bird'
 */
export function cleanText(text: string): string {
  if (typeof text !== 'string') {
    throw new TypeError(`cleanText: text must be a string, got ${text === null ? 'null' : typeof text}`);
  }
  const unescaped = unescapeHtml(unescapeHtml(fixText(text)));
  return unescaped.replace(WHITESPACE_RUN, ' ').replace(EDGE_WHITESPACE, '').toLowerCase();
}
