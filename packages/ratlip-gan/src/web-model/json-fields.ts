/** Thrown for a manifest or model index that breaks the format; the message names the file and field. */
export class WebModelFormatError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${source}: ${field === '' ? '' : `${field} `}${detail}`);
    this.name = 'WebModelFormatError';
  }
}

/** Reads fields of one JSON object, throwing a {@link WebModelFormatError} that names the field. */
export class JsonFields {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly value: Record<string, unknown>,
  ) {}

  /** Wraps `value` after checking it is a plain JSON object. */
  static object(source: string, path: string, value: unknown): JsonFields {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new WebModelFormatError(source, path, `must be a JSON object, got ${describeJson(value)}`);
    }
    return new JsonFields(source, path, value as Record<string, unknown>);
  }

  /** Name of a field for messages, e.g. `files.generator.sha256`. */
  fieldName(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Throws naming every key outside `allowed` (typos must not pass silently). */
  onlyKeys(allowed: readonly string[]): void {
    const unknown = Object.keys(this.value).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) {
      throw new WebModelFormatError(
        this.source,
        this.path === '' ? 'the top level' : this.path,
        `has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}; allowed: ${allowed.join(', ')}`,
      );
    }
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  /** A string field, trimmed-non-empty unless `allowEmpty`. */
  string(key: string, options: { maxLength?: number; allowEmpty?: boolean } = {}): string {
    const value = this.value[key];
    if (typeof value !== 'string') this.fail(key, `must be a string, got ${describeJson(value)}`);
    if (!options.allowEmpty && value.trim() === '') this.fail(key, 'must not be empty');
    const maxLength = options.maxLength ?? 10_000;
    if (value.length > maxLength)
      this.fail(key, `must be at most ${maxLength} characters, got ${value.length}`);
    return value;
  }

  /** An integer field within `[min, max]`. */
  integer(key: string, min: number, max: number): number {
    const value = this.value[key];
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(key, `must be an integer, got ${describeJson(value)}`);
    }
    if (value < min || value > max) this.fail(key, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  /** A nested object field. */
  object(key: string): JsonFields {
    if (this.value[key] === undefined) this.fail(key, 'is missing');
    return JsonFields.object(this.source, this.fieldName(key), this.value[key]);
  }

  /** An array field. */
  array(key: string): unknown[] {
    const value = this.value[key];
    if (!Array.isArray(value)) this.fail(key, `must be an array, got ${describeJson(value)}`);
    return value;
  }

  /** Throws for `key` with `detail`. */
  fail(key: string, detail: string): never {
    throw new WebModelFormatError(this.source, this.fieldName(key), detail);
  }
}

/**
 * Parses the text of a JSON file.
 * @param source names the file in errors.
 * @throws WebModelFormatError naming `source` for text that is not JSON.
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WebModelFormatError(
      source,
      '',
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** A short description of a JSON value's type for error messages. */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const PATH_SEGMENT_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a path relative to a model folder: `/`-separated plain segments (letters, digits, `.`, `_`,
 * `-`), none `.` or `..`, so a manifest can only point inside its own folder and never at another origin.
 */
export function checkRelativePath(fields: JsonFields, key: string, suffix: string): string {
  const path = fields.string(key, { maxLength: 256 });
  const segments = path.split('/');
  for (const segment of segments) {
    if (!PATH_SEGMENT_PATTERN.test(segment) || segment === '.' || segment === '..') {
      fields.fail(
        key,
        `must be a relative path of plain segments (letters, digits, '.', '_', '-'; no '..', no scheme or leading '/'), got ${JSON.stringify(path)}`,
      );
    }
  }
  if (!path.endsWith(suffix)) fields.fail(key, `must end with '${suffix}', got ${JSON.stringify(path)}`);
  return path;
}
