import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npyArray } from '@ratlip/runtime';
import { saveNpzFile } from '@ratlip/runtime/node';
import { fixturePath, listFixtures, readFixture } from '@ratlip/runtime/testing';
import { describe, expect, it } from 'vitest';
import type { WeightFileSummary } from '../inspect/weight-file-summary';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

const TINY_CHECKPOINT = fileURLToPath(
  new URL('../../../../packages/runtime/src/pickle/__fixtures__/tiny_checkpoint.pth', import.meta.url),
);
const folder = temporaryFolder();

async function inspectJson(path: string): Promise<WeightFileSummary> {
  const run = await runCaptured(['inspect', '--json', path]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as WeightFileSummary;
}

describe('ratlip inspect on safetensors fixtures', () => {
  it.each(listFixtures('.safetensors'))(
    '%s: --json lists the header and sums the element counts',
    async (relative) => {
      const path = fixturePath(relative);
      const reference = readFixture(relative);
      const summary = await inspectJson(path);
      expect(summary.file).toBe(path);
      expect(summary.format).toBe('safetensors');
      expect(summary.fileBytes).toBe(readFileSync(path).byteLength);
      expect(summary.metadata).toEqual(reference.metadata);
      expect(summary.tensors.map((tensor) => tensor.name)).toEqual(reference.names());
      let total = 0;
      for (const tensor of summary.tensors) {
        const entry = reference.entry(tensor.name);
        const count = entry.shape.reduce((product, size) => product * size, 1);
        expect(tensor).toEqual({ name: tensor.name, dtype: entry.dtype, shape: entry.shape, count });
        total += count;
      }
      expect(summary.parameters).toBe(total);
    },
  );

  it('prints a text table with the count, every tensor and the metadata', async () => {
    const relative = listFixtures('.safetensors')[0]!;
    const reference = readFixture(relative);
    const run = await runCaptured(['inspect', fixturePath(relative)]);
    expect(run.code).toBe(0);
    const total = reference
      .names()
      .reduce(
        (sum, name) => sum + reference.entry(name).shape.reduce((product, size) => product * size, 1),
        0,
      );
    expect(run.stdout).toMatch(new RegExp(`^parameters +${total.toLocaleString('en-US')}$`, 'm'));
    expect(run.stdout).toMatch(/^format +safetensors$/m);
    for (const name of reference.names()) {
      const { dtype, shape } = reference.entry(name);
      expect(run.stdout).toMatch(
        new RegExp(`^${name.replace(/\./g, '\\.')} +${dtype} +\\[${shape.join(', ')}\\] `, 'm'),
      );
    }
    for (const key of Object.keys(reference.metadata))
      expect(run.stdout).toMatch(new RegExp(`^  ${key} `, 'm'));
  });
});

describe('ratlip inspect on .npz and .pth', () => {
  it('lists the arrays of an npz in safetensors dtype spelling', async () => {
    const path = join(folder, 'stats.npz');
    await saveNpzFile(
      path,
      {
        mu: npyArray(new Float64Array(3), [3], 'f8'),
        sigma: npyArray(new Float64Array(9), [3, 3], 'f8'),
        labels: npyArray(new Int32Array(4), [2, 2], 'i4'),
      },
      { compress: true },
    );
    const summary = await inspectJson(path);
    expect(summary.format).toBe('npz');
    expect(summary.tensors).toEqual([
      { name: 'mu', dtype: 'F64', shape: [3], count: 3 },
      { name: 'sigma', dtype: 'F64', shape: [3, 3], count: 9 },
      { name: 'labels', dtype: 'I32', shape: [2, 2], count: 4 },
    ]);
    expect(summary.parameters).toBe(16);
    expect(summary.metadata).toEqual({});
  });

  it('lists every tensor of a torch checkpoint and its scalars as metadata', async () => {
    const summary = await inspectJson(TINY_CHECKPOINT);
    expect(summary.format).toBe('pth');
    const byName = new Map(summary.tensors.map((tensor) => [tensor.name, tensor]));
    expect(byName.get('model.netG.fc_code.weight')).toEqual({
      name: 'model.netG.fc_code.weight',
      dtype: 'F32',
      shape: [3, 4],
      count: 12,
    });
    expect(byName.get('model.netG.conv.weight')?.shape).toEqual([4, 3, 2]);
    expect(byName.get('model.netG.half')?.dtype).toBe('F16');
    expect(byName.get('model.netG.bn.num_batches_tracked')).toMatchObject({
      dtype: 'I64',
      shape: [],
      count: 1,
    });
    expect(byName.get('model.netD.gamma')?.count).toBe(1);
    expect(summary.parameters).toBe(summary.tensors.reduce((sum, tensor) => sum + tensor.count, 0));
    expect(summary.metadata['epoch']).toBe(5);
    expect(summary.metadata['optimizers.optimizer_G.param_groups.0.lr']).toBe(1e-4);
    expect(summary.metadata['optimizers.optimizer_G.param_groups.0.betas']).toBe('[0,0.9]');
  });

  it('recognises the format by content, not by extension', async () => {
    const path = join(folder, 'checkpoint.safetensors');
    writeFileSync(path, readFileSync(TINY_CHECKPOINT));
    expect((await inspectJson(path)).format).toBe('pth');
  });
});

describe('ratlip inspect errors', () => {
  it('fails on a missing file', async () => {
    const path = join(folder, 'absent.safetensors');
    const run = await runCaptured(['inspect', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(`ratlip inspect: file not found: ${path}`);
  });

  it('fails on a folder', async () => {
    const run = await runCaptured(['inspect', folder]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain(`${folder} is a directory, expected a file`);
  });

  it.each([
    ['notes.txt', 'hello, not weights', 'not a safetensors, .npz or .pth file'],
    ['empty.npz', '', 'the file is empty'],
  ])('fails on %s', async (name, content, message) => {
    const path = join(folder, name);
    writeFileSync(path, content);
    const run = await runCaptured(['inspect', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(
      `ratlip inspect: ${path}: ${message}${message.startsWith('not') ? ' (it starts with bytes 68 65 6c 6c 6f 2c 20 6e)' : ''}`,
    );
  });

  it('fails on a truncated safetensors file, naming it', async () => {
    const bytes = readFileSync(fixturePath(listFixtures('.safetensors')[0]!));
    const path = join(folder, 'truncated.safetensors');
    writeFileSync(path, bytes.subarray(0, bytes.byteLength - 10));
    const run = await runCaptured(['inspect', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(new RegExp(`^ratlip inspect: ${path.replace(/[.\\]/g, '\\$&')}: `));
  });

  it('fails on a zip that is neither npz nor checkpoint', async () => {
    const { writeZip } = await import('@ratlip/runtime');
    const path = join(folder, 'other.zip');
    writeFileSync(path, writeZip([{ name: 'readme.txt', data: new TextEncoder().encode('hi') }]));
    const run = await runCaptured(['inspect', path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain("entry 'readme.txt' is not a .npy array");
  });

  it('rejects unknown options and a missing argument with exit code 2', async () => {
    const unknown = await runCaptured(['inspect', '--yaml', 'x']);
    expect(unknown.code).toBe(2);
    expect(errorLine(unknown)).toBe("ratlip inspect: unknown option '--yaml' (options: --json, -h, --help)");
    const missing = await runCaptured(['inspect']);
    expect(missing.code).toBe(2);
    expect(errorLine(missing)).toBe(
      "ratlip inspect: missing required argument 'file' (usage: ratlip inspect [options] <file>)",
    );
  });
});
