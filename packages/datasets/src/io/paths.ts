/** Joins path parts with `/`, dropping empty parts and doubled separators (absolute roots kept). */
export function joinPath(...parts: string[]): string {
  const kept = parts.filter((part) => part.length > 0);
  if (kept.length === 0) return '';
  return kept
    .map((part, index) => {
      let text = part.replace(/\\/g, '/');
      if (index > 0) text = text.replace(/^\/+/, '');
      if (index < kept.length - 1) text = text.replace(/\/+$/, '');
      return text;
    })
    .join('/');
}

/** The folder part of a `/`-separated path (`''` for a bare name). */
export function dirname(path: string): string {
  const normalised = path.replace(/\\/g, '/');
  const slash = normalised.lastIndexOf('/');
  if (slash < 0) return '';
  return slash === 0 ? '/' : normalised.slice(0, slash);
}

/** True for `/x`, `C:/x`, `C:\x` and URLs, which must not be joined onto a dataset root. */
export function isAbsolutePath(path: string): boolean {
  return /^([/\\]|[a-zA-Z]:[/\\]|[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)/.test(path);
}

/** Image file extensions the folder and keyed layouts recognise (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.avif',
  '.tif',
  '.tiff',
  '.gif',
];

/** The extension of `path` in lower case with its dot, or `''`. */
export function extensionOf(path: string): string {
  const name = path.slice(path.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** `path` without its extension. */
export function stripExtension(path: string): string {
  const extension = extensionOf(path);
  return extension ? path.slice(0, -extension.length) : path;
}
