/** Something the CLI writes text to: `process.stdout` / `process.stderr`, or a string buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
  /** True on an interactive terminal; progress lines are only drawn there. Default false. */
  readonly isTTY?: boolean;
}

/** The CLI's output streams. */
export interface CliIO {
  /** Results: token ids, inspection tables, distances. */
  stdout: TextSink;
  /** Errors and progress. */
  stderr: TextSink;
}

/** The process's own streams. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}
