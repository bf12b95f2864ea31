import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFixture } from '@ratlip/runtime/testing';
import { describe, expect, it } from 'vitest';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

interface TokenizerCase {
  text: string;
  tokenize_77_truncate: number[];
  tokenize_77_raises_without_truncate: boolean;
}

interface TokenizerCases {
  meta: { context_length: number; sot: number; eot: number };
  cases: TokenizerCase[];
}

const fixture = readJsonFixture<TokenizerCases>('clip/tokenizer_cases.json');
const context = String(fixture.meta.context_length);
const folder = temporaryFolder();

function rows(stdout: string): number[][] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as number[]);
}

describe('ratlip clip tokenize', () => {
  it('prints the reference row of every fixture caption (truncation on by default)', async () => {
    const run = await runCaptured([
      'clip',
      'tokenize',
      '--context',
      context,
      '--',
      ...fixture.cases.map((c) => c.text),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(rows(run.stdout)).toEqual(fixture.cases.map((c) => c.tokenize_77_truncate));
  });

  it('prints one compact JSON array per line', async () => {
    const run = await runCaptured(['clip', 'tokenize', fixture.cases[0]!.text]);
    expect(run.stdout).toBe(`${JSON.stringify(fixture.cases[0]!.tokenize_77_truncate)}\n`);
  });

  it.each(fixture.cases.map((c, index) => [index, c] as const))(
    'with --no-truncate matches the reference for case %i (or fails naming it)',
    async (_index, testCase) => {
      const run = await runCaptured([
        'clip',
        'tokenize',
        '--no-truncate',
        '--context',
        context,
        '--',
        testCase.text,
      ]);
      if (testCase.tokenize_77_raises_without_truncate) {
        expect(run.code).toBe(1);
        expect(errorLine(run)).toMatch(/^ratlip clip tokenize: caption 1 is \d+ tokens/);
      } else {
        expect(run.code).toBe(0);
        expect(rows(run.stdout)).toEqual([testCase.tokenize_77_truncate]);
      }
    },
  );

  it('names the index of the too-long caption among several', async () => {
    const long = fixture.cases.find((c) => c.tokenize_77_raises_without_truncate)!;
    const run = await runCaptured(['clip', 'tokenize', '--no-truncate', 'a cat', 'a dog', long.text]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(/caption 3 is \d+ tokens .* longer than the context of 77/);
  });

  it('reads --file one caption per line, keeps empty middle lines, ignores the final line break', async () => {
    const oneLiners = fixture.cases.filter((c) => !/[\r\n]/.test(c.text));
    const path = join(folder, 'captions.txt');
    writeFileSync(path, `${oneLiners.map((c) => c.text).join('\r\n')}\n\n${oneLiners[0]!.text}\n`);
    const run = await runCaptured(['clip', 'tokenize', '--file', path]);
    expect(run.code).toBe(0);
    const empty = fixture.cases.find((c) => c.text === '')!.tokenize_77_truncate;
    expect(rows(run.stdout)).toEqual([
      ...oneLiners.map((c) => c.tokenize_77_truncate),
      empty,
      oneLiners[0]!.tokenize_77_truncate,
    ]);
  });

  it('names the file line of a too-long caption', async () => {
    const long = fixture.cases.find((c) => c.tokenize_77_raises_without_truncate)!;
    const path = join(folder, 'long.txt');
    writeFileSync(path, `a cat\n${long.text}\n`);
    const run = await runCaptured(['clip', 'tokenize', '--no-truncate', '--file', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain(`line 2 of ${path} is`);
  });

  it('cuts rows to a shorter --context, ending with the end marker', async () => {
    const run = await runCaptured(['clip', 'tokenize', '--context', '4', 'a photo of a cat']);
    const [row] = rows(run.stdout);
    const reference = fixture.cases[0]!.tokenize_77_truncate;
    expect(row).toEqual([...reference.slice(0, 3), fixture.meta.eot]);
  });

  it.each([
    [['--context', 'abc', 'x'], "--context: expected an integer >= 2, got 'abc'"],
    [['--context', '1', 'x'], "--context: expected an integer >= 2, got '1'"],
    [['--context', '2.5', 'x'], "--context: expected an integer >= 2, got '2.5'"],
    [['--context'], "option '--context <n>' argument missing"],
    [
      ['--bogus', 'x'],
      "unknown option '--bogus' (options: --context <n>, --no-truncate, --file <path>, -h, --help)",
    ],
    [['--contxt', '5', 'x'], 'did you mean --context?'],
    [[], 'no captions: give them as arguments or with --file <path>'],
    [['--file', 'a.txt', 'x'], 'give captions either as arguments or with --file, not both'],
  ])('rejects %j with exit code 2', async (args, message) => {
    const run = await runCaptured(['clip', 'tokenize', ...args]);
    expect(run.code).toBe(2);
    const line = errorLine(run);
    expect(line.startsWith('ratlip clip tokenize: ')).toBe(true);
    expect(line.toLowerCase()).toContain(message.toLowerCase());
  });

  it('fails with exit code 1 on a missing captions file', async () => {
    const run = await runCaptured(['clip', 'tokenize', '--file', join(folder, 'absent.txt')]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(
      `ratlip clip tokenize: captions file not found: ${join(folder, 'absent.txt')}`,
    );
  });
});
