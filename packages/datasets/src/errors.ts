/**
 * Why one sample could not be used. Samples failing for these reasons can be skipped by a pipeline
 * (`onBadSample: 'skip'`); every other problem (a malformed pickle, a broken manifest) always throws.
 */
export type BadSampleReason = 'missing-image' | 'corrupt-image' | 'missing-captions' | 'empty-captions';

/** Problems with a dataset as a whole: its layout, index files or options. */
export type DatasetProblem = 'bad-layout' | 'bad-pickle' | 'bad-manifest' | 'bad-option' | 'bad-resume-state';

/** Every error this package throws about data: `path` names the file (or option) at fault. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    /** What went wrong, as a stable code. */
    readonly code: BadSampleReason | DatasetProblem,
    /** The file, folder or option the problem is about. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * Recognises DatasetErrors from any copy of this class: the package's entries (`.`, `./node`,
   * `./browser`) are bundled separately, so an error thrown by the Node decoder must still pass
   * `instanceof DatasetError` checks made with the main entry's class.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      value instanceof Error &&
      value.name === 'DatasetError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      typeof (value as { path?: unknown }).path === 'string'
    );
  }

  /** True when the problem concerns one sample only, so a pipeline may skip it. */
  get isBadSample(): boolean {
    return BAD_SAMPLE_REASONS.has(this.code);
  }
}

const BAD_SAMPLE_REASONS: ReadonlySet<string> = new Set<BadSampleReason>([
  'missing-image',
  'corrupt-image',
  'missing-captions',
  'empty-captions',
]);

/** True for a {@link DatasetError} about one sample (see {@link BadSampleReason}). */
export function isBadSampleError(error: unknown): error is DatasetError & { code: BadSampleReason } {
  return error instanceof DatasetError && BAD_SAMPLE_REASONS.has(error.code);
}
