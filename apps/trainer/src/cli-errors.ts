/** Exit codes of the `ratlip` command. */
export const EXIT_CODES = {
  /** Finished. */
  ok: 0,
  /** The command ran and failed: missing file, wrong format, mismatched shapes. */
  failure: 1,
  /** The command line (or a config file's values) was wrong: unknown option, invalid value, missing argument. */
  usage: 2,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** A wrong command line: unknown or invalid option, missing or extra argument. Exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode: ExitCode = EXIT_CODES.usage;
}

/** An expected failure while running (missing file, wrong format, mismatched shapes). Exits with code 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  readonly exitCode: ExitCode = EXIT_CODES.failure;
}

/**
 * Errors the workspace packages throw for bad input files and options; their messages already name
 * the file and the problem, so they are reported without a stack trace.
 */
const EXPECTED_ERROR_NAMES: ReadonlySet<string> = new Set([
  'CliFailure',
  'UsageError',
  'SafetensorsError',
  'NpyError',
  'ZipError',
  'PickleError',
  'DatasetError',
  'BackendUnavailableError',
]);

/** Node's messages for file-system errors, by `code`, in the CLI's wording. */
const SYSTEM_ERROR_WORDING: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
};

interface SystemError extends Error {
  code: string;
  path?: string;
}

function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as SystemError).code === 'string' && 'syscall' in error;
}

/** Whether `error` is a known kind of bad input (reported without a stack) rather than a bug. */
export function isExpectedError(error: unknown): boolean {
  if (isSystemError(error)) return true;
  return error instanceof Error && EXPECTED_ERROR_NAMES.has(error.name);
}

/** Collapses a possibly multi-line message into one line. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ');
}

/** The message of anything thrown, in one line. */
export function describeError(error: unknown): string {
  if (isSystemError(error)) {
    const wording = SYSTEM_ERROR_WORDING[error.code];
    if (wording && error.path) return `${error.path}: ${wording}`;
  }
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** Exit code for an error thrown by a command: its own for CLI errors, 1 for everything else. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof UsageError || error instanceof CliFailure ? error.exitCode : EXIT_CODES.failure;
}
