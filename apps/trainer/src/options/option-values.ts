import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli-errors';

/**
 * zod schemas for option values. Command-line values arrive as strings and config-file values as
 * numbers, so numeric schemas accept both. Every message says what is expected; {@link parseOptions}
 * adds the option's name and the value given.
 */

function numberFromText(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}

/** An integer in `[min, max]` (max default `Number.MAX_SAFE_INTEGER`). */
export function integerValue(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
  const expected = { error: `expected an integer ${range}` };
  return z.preprocess(numberFromText, z.number(expected).int(expected).min(min, expected).max(max, expected));
}

/** A number greater than 0. */
export function positiveNumberValue() {
  const expected = { error: 'expected a number > 0' };
  return z.preprocess(numberFromText, z.number(expected).positive(expected));
}

/** A number >= 0, e.g. a loss weight. */
export function nonNegativeNumberValue() {
  const expected = { error: 'expected a number >= 0' };
  return z.preprocess(numberFromText, z.number(expected).nonnegative(expected));
}

/** `auto` or an integer in `[min, max]`. */
export function autoOrIntegerValue(min: number, max: number) {
  const expected = { error: `expected 'auto' or an integer in [${min}, ${max}]` };
  // zod reports the failing branch of the input's type, so every branch carries the message.
  const integer = z.number(expected).int(expected).min(min, expected).max(max, expected);
  return z.preprocess(numberFromText, z.union([z.literal('auto', expected), integer], expected));
}

/** A number in `[0, 1)`, e.g. a per-step decay. */
export function unitIntervalValue() {
  const expected = { error: 'expected a number >= 0 and < 1' };
  return z.preprocess(numberFromText, z.number(expected).min(0, expected).lt(1, expected));
}

/** One of `choices`. */
export function choiceValue<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, { error: `expected one of ${choices.join(', ')}` });
}

/** A non-empty string (a path or a name). */
export function textValue(what = 'a value') {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, got an empty string` });
}

/** Formats `value` for an error message: strings quoted, the rest as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/**
 * The options of `command` (as commander parsed them) validated by `schema`. Throws a {@link UsageError}
 * for the first invalid value, naming the option as the user typed it, e.g.
 * `--context: expected an integer >= 2, got 'abc'`.
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, command: Command): z.output<Schema> {
  const raw = command.opts();
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const option = command.options.find((candidate) => candidate.attributeName() === key);
  const flag = option?.long ?? option?.short ?? key;
  const given = raw[key];
  throw new UsageError(`${flag}: ${issue.message}${given === undefined ? '' : `, got ${showValue(given)}`}`);
}
