import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { TextSink } from './cli-io';
import { runCli } from './program';

/** What one in-process `ratlip` run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function bufferSink(): TextSink & { text: () => string } {
  const parts: string[] = [];
  return {
    write: (text: string) => parts.push(text),
    text: () => parts.join(''),
  };
}

/** Runs `ratlip <argv...>` in-process and captures its output. */
export async function runCaptured(argv: readonly string[]): Promise<CliRun> {
  const stdout = bufferSink();
  const stderr = bufferSink();
  const code = await runCli(argv, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A fresh temporary folder, removed after the test file. */
export function temporaryFolder(prefix = 'ratlip-cli-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** Asserts the shape of an error report: exactly one line on stderr, nothing on stdout. */
export function errorLine(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((line) => line.length > 0);
  if (lines.length !== 1 || run.stdout !== '') {
    throw new Error(
      `expected one stderr line and no stdout, got stderr ${JSON.stringify(run.stderr)} stdout ${JSON.stringify(run.stdout)}`,
    );
  }
  return lines[0]!;
}
