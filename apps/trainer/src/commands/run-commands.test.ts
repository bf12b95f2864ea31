import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseWebModelManifestText } from '../../../playground/src/model/web-model-manifest';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

const folder = temporaryFolder('ratlip-run-commands-');
const run = join(folder, 'run');

beforeAll(async () => {
  const trained = await runCaptured([
    'train',
    '--steps',
    '1',
    '--batch-size',
    '2',
    '--backend',
    'wasm',
    '--eval-samples',
    '0',
    '--out',
    run,
  ]);
  expect(trained.code, trained.stderr).toBe(0);
});

describe('ratlip sample', () => {
  it('writes a grid and single PNGs, the same for the same seed', async () => {
    const args = ['--text', 'a red circle on the left', 'a blue square', '--count', '3', '--seed', '5'];
    const first = await runCaptured([
      'sample',
      run,
      ...args,
      '--backend',
      'wasm',
      '--out',
      join(folder, 'a'),
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const again = await runCaptured([
      'sample',
      run,
      ...args,
      '--backend',
      'wasm',
      '--out',
      join(folder, 'b'),
    ]);
    expect(again.code).toBe(0);
    const files = readdirSync(join(folder, 'a')).sort();
    expect(files).toEqual([
      '000-000.png',
      '000-001.png',
      '000-002.png',
      '001-000.png',
      '001-001.png',
      '001-002.png',
      'grid.png',
    ]);
    for (const file of files) {
      expect(readFileSync(join(folder, 'b', file)).equals(readFileSync(join(folder, 'a', file))), file).toBe(
        true,
      );
    }
    const meta = await sharp(join(folder, 'a', '000-000.png')).metadata();
    expect([meta.width, meta.height]).toEqual([32, 32]);
  });

  it('reads a captions file and reports a folder that is not a run in one line', async () => {
    const captions = join(folder, 'captions.txt');
    writeFileSync(captions, 'a green triangle\n');
    const fromFile = await runCaptured([
      'sample',
      run,
      '--captions',
      captions,
      '--backend',
      'wasm',
      '--out',
      join(folder, 'c'),
    ]);
    expect(fromFile.code).toBe(0);
    expect(existsSync(join(folder, 'c', '000-000.png'))).toBe(true);
    const bad = await runCaptured(['sample', folder, '--text', 'x', '--backend', 'wasm']);
    expect(bad.code).toBe(1);
    expect(errorLine(bad)).toMatch(/neither a checkpoint folder/);
  });
});

describe('ratlip export --web', () => {
  it('writes a web model whose manifest validates and lists the written files', async () => {
    const out = join(folder, 'web');
    const result = await runCaptured(['export', '--web', run, '--out', out, '--backend', 'wasm']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const manifest = parseWebModelManifestText(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.preset).toBe('ratlip-tiny');
    for (const file of Object.values(manifest.files)) {
      expect(readFileSync(join(out, file.path)).length).toBe(file.bytes);
    }
  });
});

describe('ratlip eval', () => {
  it('prints per-attribute alignment with chance levels and appends eval.jsonl', async () => {
    const args = [
      'eval',
      run,
      '--metrics',
      'shapes-alignment,clip-score',
      '--samples',
      '4',
      '--backend',
      'wasm',
    ];
    const result = await runCaptured(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/colour\s+\d\.\d{3}\s+\(chance 0\.\d+\)/);
    expect(result.stdout).toMatch(/clip-score -?\d/);
    const records = readFileSync(join(run, 'eval.jsonl'), 'utf8').trim().split('\n');
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0]!)).toMatchObject({ step: 1, samples: 4, captions: 'shapes heldout' });
  });
});
