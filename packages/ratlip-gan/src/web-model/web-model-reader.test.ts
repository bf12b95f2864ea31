import { describe, expect, it } from 'vitest';
import { WebModelFormatError } from './json-fields';
import { readWebModelFolder, type WebModelFileSource, type WebModelReadProgress } from './web-model-reader';
import { buildWebModel, type WebModelFolder } from './web-model-writer';

function bytesOf(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + salt) % 251);
}

async function testModel(): Promise<WebModelFolder> {
  return buildWebModel({
    name: 'Test model',
    preset: 'ratlip-tiny',
    config: { name: 'ratlip-tiny' },
    weights: { generator: bytesOf(7_000, 1), textEncoder: bytesOf(500, 2) },
    contextLength: 77,
    sampleCaptions: ['a red square'],
  });
}

/** A source over in-memory files that delivers each file in chunks of `chunkBytes`. */
function memorySource(files: ReadonlyMap<string, Uint8Array>, chunkBytes = 3_000): WebModelFileSource {
  return {
    label: 'memory',
    readManifest: async () => ({
      text: new TextDecoder().decode(files.get('manifest.json')),
      source: 'memory/manifest.json',
    }),
    readFile: async ({ role, file, onBytes }) => {
      const bytes = files.get(file.path);
      if (bytes === undefined) throw new Error(`files.${role} '${file.path}' is missing`);
      for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) {
        onBytes(Math.min(chunkBytes, bytes.byteLength - offset));
      }
      return bytes;
    },
  };
}

describe('readWebModelFolder', () => {
  it('reads and verifies every file, reporting progress', async () => {
    const model = await testModel();
    const progress: WebModelReadProgress[] = [];
    const read = await readWebModelFolder(memorySource(model.files), {
      onProgress: (event) => progress.push(event),
    });
    expect(read.label).toBe('memory');
    expect(read.manifest).toEqual(model.manifest);
    expect(read.weights.generator).toBe(model.files.get('generator.safetensors'));
    expect(read.weights.textEncoder).toBe(model.files.get('clip-text.safetensors'));
    expect(progress[0]).toEqual({ stage: 'manifest', loadedBytes: 0, totalBytes: 0, file: 'manifest.json' });
    expect(progress.filter((event) => event.stage === 'download').map((event) => event.loadedBytes)).toEqual([
      3_000, 6_000, 7_000, 7_500,
    ]);
    expect(progress.at(-1)).toEqual({
      stage: 'verify',
      loadedBytes: 7_500,
      totalBytes: 7_500,
      file: 'clip-text.safetensors',
    });
  });

  it('names the file whose size or hash differs from the manifest', async () => {
    const model = await testModel();
    const short = new Map(model.files).set('generator.safetensors', bytesOf(6_999, 1));
    await expect(readWebModelFolder(memorySource(short))).rejects.toThrow(
      "memory/manifest.json: files.generator 'generator.safetensors' is 6999 bytes, the manifest says 7000 bytes",
    );
    const corrupt = bytesOf(500, 2);
    corrupt[100] = corrupt[100]! ^ 1;
    const changed = new Map(model.files).set('clip-text.safetensors', corrupt);
    await expect(readWebModelFolder(memorySource(changed))).rejects.toThrow(
      /files\.textEncoder 'clip-text\.safetensors' has SHA-256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}; the file is corrupt/,
    );
  });

  it('names the manifest when it is not a web-model manifest', async () => {
    const files = new Map([['manifest.json', new TextEncoder().encode('{"format": "other"}')]]);
    const reading = readWebModelFolder(memorySource(files));
    await expect(reading).rejects.toBeInstanceOf(WebModelFormatError);
    await expect(readWebModelFolder(memorySource(files))).rejects.toThrow(
      "memory/manifest.json: format must be 'ratlip-web-model'",
    );
  });
});
