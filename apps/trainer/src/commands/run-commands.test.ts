import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseModelIndexText, parseWebModelManifestText } from '@ratlip/ratlip-gan';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCheckpoints } from '../run/run-folder';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';
import { TRAIN_PRESETS } from '../train/train-presets';
import { trainOneStepRun } from './one-step-run.test-support';

const folder = temporaryFolder('ratlip-run-commands-');
const run = join(folder, 'run');

beforeAll(async () => {
  await trainOneStepRun(run, 0);
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
    expect(manifest.preset).toBe(TRAIN_PRESETS.shapes!.model);
    for (const file of Object.values(manifest.files)) {
      expect(readFileSync(join(out, file.path)).length).toBe(file.bytes);
    }
  });

  it('lists the exported model in a model index with its name, description and captions', async () => {
    const models = join(folder, 'public-models');
    const index = join(models, 'index.json');
    const captions = join(folder, 'web-captions.txt');
    writeFileSync(captions, 'a red circle\n\na blue square\n');
    const result = await runCaptured([
      'export',
      '--web',
      run,
      '--out',
      join(models, 'tiny'),
      '--index',
      index,
      '--name',
      'Tiny test',
      '--description',
      'One step of training.',
      '--captions',
      captions,
      '--backend',
      'wasm',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files.at(-1)).toBe('manifest.json');
    const entry = {
      id: 'tiny',
      name: 'Tiny test',
      manifest: 'tiny/manifest.json',
      description: 'One step of training.',
    };
    expect(parseModelIndexText(readFileSync(index, 'utf8')).models).toEqual([entry]);
    const manifest = parseWebModelManifestText(readFileSync(join(models, 'tiny', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'Tiny test', description: 'One step of training.' });
    expect(manifest.sampleCaptions).toEqual(['a red circle', 'a blue square']);

    const outside = await runCaptured([
      'export',
      '--web',
      run,
      '--out',
      join(folder, 'elsewhere'),
      '--index',
      index,
      '--backend',
      'wasm',
    ]);
    expect(outside.code).toBe(1);
    expect(errorLine(outside)).toMatch(/must be a subfolder of the index's folder/);
    const noIndex = await runCaptured(['export', '--web', run, '--default']);
    expect(noIndex.code).toBe(2);
    expect(errorLine(noIndex)).toMatch(/--default needs --index <index\.json>/);
  });
});

describe('ratlip export --generator', () => {
  it('writes the generator alone, which samples exactly as the run does', async () => {
    const out = join(folder, 'generator');
    const result = await runCaptured(['export', '--generator', run, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'netG.safetensors', 'state.json']);
    const state = JSON.parse(readFileSync(join(out, 'state.json'), 'utf8'));
    expect(state.files).toEqual({ netG: 'netG.safetensors' });
    expect(state.trainer).toBeUndefined();
    const args = ['--text', 'a blue square', '--count', '2', '--seed', '5', '--backend', 'wasm'];
    for (const [source, samples] of [
      [run, 'from-run'],
      [out, 'from-generator'],
    ] as const) {
      const sampled = await runCaptured(['sample', source, ...args, '--out', join(folder, samples)]);
      expect(sampled.code).toBe(0);
    }
    expect(readFileSync(join(folder, 'from-generator', 'grid.png'))).toEqual(
      readFileSync(join(folder, 'from-run', 'grid.png')),
    );
    const both = await runCaptured(['export', '--web', '--generator', run]);
    expect(both.code).toBe(2);
    expect(errorLine(both)).toMatch(/choose one export target: --web or --generator/);
  });

  it('records the source relative to the working folder and the CLIP, which sampling checks', async () => {
    const out = join(folder, 'generator-clip');
    expect((await runCaptured(['export', '--generator', run, '--out', out])).code).toBe(0);
    const statePath = join(out, 'state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const runConfig = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(state.extra.clip).toEqual(runConfig.clip);
    expect(isAbsolute(state.extra.generatorOf)).toBe(false);
    expect(resolve(state.extra.generatorOf)).toBe(resolve(listCheckpoints(run).at(-1)!.path));
    const other = { ...state.extra.clip, sha256: '0'.repeat(64) };
    writeFileSync(statePath, JSON.stringify({ ...state, extra: { ...state.extra, clip: other } }));
    const refused = await runCaptured([
      'sample',
      out,
      '--text',
      'a blue square',
      '--backend',
      'wasm',
      '--out',
      join(folder, 'x'),
    ]);
    expect(refused.code).toBe(1);
    expect(errorLine(refused)).toContain(
      `${out}: trained with the CLIP ${runConfig.clip.kind} '${runConfig.clip.name}' sha256 000000000000, but finds`,
    );
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
