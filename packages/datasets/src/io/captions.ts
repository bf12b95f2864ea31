/**
 * Splits a caption file into captions: one per line, trimmed, empty lines dropped (as the official
 * loaders skip zero-length lines). A leading byte-order mark and Windows line ends are tolerated.
 */
export function parseCaptionText(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
