import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CliFailure,
  describeError,
  EXIT_CODES,
  exitCodeOf,
  isExpectedError,
  oneLine,
  UsageError,
} from './cli-errors';

function systemError(): unknown {
  try {
    statSync('/no/such/ratlip/file');
  } catch (error) {
    return error;
  }
  throw new Error('statSync did not fail');
}

describe('cli errors', () => {
  it('gives usage errors exit code 2 and everything else 1', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(EXIT_CODES.usage);
    expect(exitCodeOf(new CliFailure('x'))).toBe(EXIT_CODES.failure);
    expect(exitCodeOf(new TypeError('x'))).toBe(EXIT_CODES.failure);
  });

  it('tells expected errors (reported without a stack) from bugs', () => {
    expect(isExpectedError(new CliFailure('x'))).toBe(true);
    expect(isExpectedError(systemError())).toBe(true);
    const named = new Error('bad file');
    named.name = 'SafetensorsError';
    expect(isExpectedError(named)).toBe(true);
    expect(isExpectedError(new TypeError('x is undefined'))).toBe(false);
  });

  it('words file-system errors with their path and keeps messages on one line', () => {
    expect(describeError(systemError())).toBe('/no/such/ratlip/file: no such file or directory');
    expect(describeError(new Error('first\n  second\n'))).toBe('first second');
    expect(oneLine('a\r\n\r\nb')).toBe('a b');
  });
});
