import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { buildProgram } from './program';
import { errorLine, runCaptured, temporaryFolder } from './run-cli.test-support';

const folder = temporaryFolder();

/** Every runnable command as its argv path, e.g. ['clip', 'tokenize']. */
function leafCommands(command: Command, path: string[] = []): string[][] {
  const children = command.commands.filter((child) => child.name() !== 'help');
  if (children.length === 0) return [path];
  return children.flatMap((child) => leafCommands(child, [...path, child.name()]));
}

const sink = { write: () => true };
const leaves = leafCommands(buildProgram({ io: { stdout: sink, stderr: sink } }));

describe('ratlip program', () => {
  it('has every command of the issue', () => {
    expect(leaves.map((path) => path.join(' '))).toEqual([
      'train',
      'sample',
      'eval',
      'clip pretrain',
      'clip tokenize',
      'clip embed-text',
      'clip embed-image',
      'fid stats',
      'fid score',
      'inspect',
      'import',
      'export',
    ]);
  });

  it.each(leaves)('%s %s --help shows usage and examples on stdout', async (...path) => {
    const run = await runCaptured([...path, '--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Usage: ratlip ${path.join(' ')} `);
    expect(run.stdout).toMatch(/Examples:\n {2}# .+\n {2}\$ ratlip /);
  });

  it('lists the commands and exit codes in the top-level help', async () => {
    const run = await runCaptured(['--help']);
    expect(run.code).toBe(0);
    for (const name of ['train', 'sample', 'eval', 'clip', 'fid', 'inspect', 'import', 'export']) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    }
    expect(run.stdout).toContain('Exit codes:');
    const viaHelp = await runCaptured(['help', 'inspect']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: ratlip inspect');
  });

  it('adds the stack trace after the one-line error when RATLIP_DEBUG=1', async () => {
    process.env['RATLIP_DEBUG'] = '1';
    try {
      const run = await runCaptured(['inspect', join(folder, 'absent.npz')]);
      expect(run.code).toBe(1);
      const [first, ...rest] = run.stderr.trimEnd().split('\n');
      expect(first).toBe(`ratlip inspect: file not found: ${join(folder, 'absent.npz')}`);
      expect(rest.join('\n')).toMatch(/^CliFailure: file not found: .*\n\s+at /);
    } finally {
      delete process.env['RATLIP_DEBUG'];
    }
  });

  it('prints the version', async () => {
    const run = await runCaptured(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it.each([
    [
      [],
      "ratlip: missing command; one of: train, sample, eval, clip, fid, inspect, import, export (see 'ratlip --help')",
    ],
    [
      ['clip'],
      "ratlip clip: missing command; one of: pretrain, tokenize, embed-text, embed-image (see 'ratlip clip --help')",
    ],
    [
      ['trian'],
      "ratlip: unknown command 'trian' (Did you mean train?) (commands: train, sample, eval, clip, fid, inspect, import, export)",
    ],
    [['fid', 'distance'], "ratlip fid: unknown command 'distance' (commands: stats, score)"],
    [['--verbose'], "ratlip: unknown option '--verbose' (options: -V, --version, -h, --help)"],
  ])('rejects %j with one line and exit code 2', async (args, line) => {
    const run = await runCaptured(args);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe(line);
  });
});

describe('commands and their input errors', () => {
  const run = join(folder, 'run');
  const weights = join(folder, 'clip.safetensors');
  const image = join(folder, 'image.png');
  const checkpoint = join(folder, 'state_epoch_1000.pth');
  mkdirSync(run, { recursive: true });
  for (const path of [weights, image, checkpoint]) writeFileSync(path, 'x');

  it.each([
    [['sample', join(folder, 'absent'), '--text', 'x'], 1, 'run or checkpoint not found:'],
    [
      ['sample', run, '--text', 'x', '--count', '0'],
      2,
      "--count: expected an integer in [1, 10000], got '0'",
    ],
    [['sample', run], 2, 'no captions: give --text <caption...> or --captions <file>'],
    [
      ['eval', run, '--metrics', 'fid,is'],
      2,
      '--metrics: expected a comma-separated list of fid, kid, clip-score, shapes-alignment',
    ],
    [['eval', run, '--stats', join(folder, 'absent.npz')], 1, 'file not found:'],
    [['eval', run, '--metrics', 'fid,kid'], 2, '--inception-weights: required for fid and kid'],
    [
      ['clip', 'pretrain', '--batch-size', '1'],
      2,
      "--batch-size: expected an integer in [2, 65536], got '1'",
    ],
    [
      ['clip', 'embed-text', '--out', 'e.safetensors', 'a bird'],
      2,
      "required option '--weights <file>' not specified",
    ],
    [
      ['clip', 'embed-text', '--weights', join(folder, 'absent'), '--out', 'e', 'x'],
      1,
      'weights file not found:',
    ],
    [
      ['clip', 'embed-text', '--weights', weights, '--out', 'e'],
      2,
      'give captions either as arguments or with --file',
    ],
    [
      ['clip', 'embed-image', '--weights', weights, '--out', 'e', join(folder, 'absent.png')],
      1,
      'image not found:',
    ],
    [['import', join(folder, 'absent.pth'), '--out', 'x', '--clip', weights], 1, 'checkpoint not found:'],
    [['import', checkpoint, '--clip', weights], 2, "required option '--out <dir>' not specified"],
    [['import', checkpoint, '--out', 'x'], 2, "required option '--clip <weights>' not specified"],
    [
      ['sample', run, '--text', 'a red circle'],
      1,
      'neither a checkpoint folder (no state.json) nor a run folder',
    ],
    [['export', '--web', run], 1, 'neither a checkpoint folder (no state.json) nor a run folder'],
    [['export', run], 2, 'choose one export target: --web or --generator'],
  ])('%j fails with exit code %i naming the problem', async (args, code, message) => {
    const result = await runCaptured(args);
    expect(result.code).toBe(code);
    expect(errorLine(result)).toContain(message);
  });
});
