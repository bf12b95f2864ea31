import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebModel, type WebModelFolder, type WebModelReadProgress } from '@ratlip/ratlip-gan';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, startStaticServer } from '../../e2e/static-server';
import { findPickedFile, readWebModel } from './model-source';

function bytesOf(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + salt) % 251);
}

async function writeFolder(folder: string, model: WebModelFolder): Promise<void> {
  for (const [path, bytes] of model.files) await writeFile(join(folder, path), bytes);
}

let root: string;
let server: StaticServer;
let model: WebModelFolder;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ratlip-model-source-'));
  model = await buildWebModel({
    name: 'Test model',
    preset: 'ratlip-tiny',
    config: { name: 'ratlip-tiny' },
    weights: { generator: bytesOf(70_000, 1), textEncoder: bytesOf(5_000, 2) },
    contextLength: 77,
    sampleCaptions: ['a red square'],
  });
  for (const name of ['good', 'corrupt', 'short']) {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(root, name));
    await writeFolder(join(root, name), model);
  }
  const corrupt = bytesOf(5_000, 2);
  corrupt[100] = corrupt[100]! ^ 1;
  await writeFile(join(root, 'corrupt', 'clip-text.safetensors'), corrupt);
  await writeFile(join(root, 'short', 'generator.safetensors'), bytesOf(69_999, 1));
  server = await startStaticServer({ root });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('readWebModel', () => {
  it('downloads and verifies a served model, reporting progress', async () => {
    const progress: WebModelReadProgress[] = [];
    const origin = new URL(server.url).origin;
    const read = await readWebModel(
      { kind: 'url', manifestUrl: `${server.url}good/manifest.json` },
      { origin, onProgress: (event) => progress.push(event) },
    );
    expect(read.manifest).toEqual(model.manifest);
    expect(read.weights.generator).toEqual(model.files.get('generator.safetensors'));
    expect(read.weights.textEncoder).toEqual(model.files.get('clip-text.safetensors'));
    expect(progress[0]!.stage).toBe('manifest');
    const downloads = progress.filter((event) => event.stage === 'download');
    expect(downloads.at(-1)).toMatchObject({ loadedBytes: 75_000, totalBytes: 75_000 });
    expect(progress.some((event) => event.stage === 'verify' && event.file === 'clip-text.safetensors')).toBe(
      true,
    );
  });

  it('names the file whose hash or size differs from the manifest', async () => {
    const origin = new URL(server.url).origin;
    await expect(
      readWebModel({ kind: 'url', manifestUrl: `${server.url}corrupt/manifest.json` }, { origin }),
    ).rejects.toThrow(
      /files\.textEncoder 'clip-text\.safetensors' has SHA-256 [0-9a-f]{64}, the manifest says/,
    );
    await expect(
      readWebModel({ kind: 'url', manifestUrl: `${server.url}short/manifest.json` }, { origin }),
    ).rejects.toThrow(
      "files.generator 'generator.safetensors' is 69999 bytes, the manifest says 70000 bytes",
    );
  });

  it('names a missing manifest and refuses other origins', async () => {
    const origin = new URL(server.url).origin;
    await expect(
      readWebModel({ kind: 'url', manifestUrl: `${server.url}absent/manifest.json` }, { origin }),
    ).rejects.toThrow(/model manifest http:\/\/127\.0\.0\.1:\d+\/absent\/manifest\.json answered HTTP 404/);
    await expect(
      readWebModel({ kind: 'url', manifestUrl: 'https://models.example/m/manifest.json' }, { origin }),
    ).rejects.toThrow('is on another origin than the page (http://127.0.0.1:');
  });

  it('reads picked local files', async () => {
    const files = [...model.files].map(([path, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], path));
    const read = await readWebModel({ kind: 'files', files });
    expect(read.label).toBe('local files');
    expect(read.weights.generator.byteLength).toBe(70_000);
    await expect(readWebModel({ kind: 'files', files: files.slice(1) })).rejects.toThrow(
      'is not among the picked files',
    );
  });
});

describe('findPickedFile', () => {
  it('prefers the relative path, then the only file of that name', () => {
    const loose = [new File(['a'], 'manifest.json'), new File(['b'], 'generator.safetensors')];
    expect(findPickedFile(loose, 'weights/generator.safetensors', 'g').name).toBe('generator.safetensors');
    const twice = [new File(['a'], 'generator.safetensors'), new File(['b'], 'generator.safetensors')];
    expect(() => findPickedFile(twice, 'generator.safetensors', 'files.generator')).toThrow(
      "files.generator: 2 picked files are named 'generator.safetensors'",
    );
  });
});
