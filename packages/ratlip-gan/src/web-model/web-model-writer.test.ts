import { describe, expect, it } from 'vitest';
import { sha256HexSync } from './sha256';
import { parseWebModelManifestText } from './web-model-manifest';
import { buildWebModel } from './web-model-writer';

function bytesOf(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + salt) % 251);
}

const OPTIONS = {
  name: 'Test model',
  preset: 'ratlip-tiny',
  config: { name: 'ratlip-tiny' },
  weights: { generator: bytesOf(700, 1), textEncoder: bytesOf(50, 2) },
  contextLength: 77,
  sampleCaptions: ['a red square'],
};

describe('buildWebModel', () => {
  it('lists every file with its size and hash, and writes a manifest that parses back', async () => {
    const model = await buildWebModel(OPTIONS);
    expect(model.manifest.files.generator).toEqual({
      path: 'generator.safetensors',
      bytes: 700,
      sha256: sha256HexSync(OPTIONS.weights.generator),
    });
    expect([...model.files.keys()]).toEqual([
      'generator.safetensors',
      'clip-text.safetensors',
      'manifest.json',
    ]);
    const text = new TextDecoder().decode(model.files.get('manifest.json'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseWebModelManifestText(text)).toEqual(model.manifest);
    expect(model.manifest).not.toHaveProperty('description');
    expect(model.manifest).not.toHaveProperty('provenance');
  });

  it('keeps the optional fields and custom file names', async () => {
    const model = await buildWebModel({
      ...OPTIONS,
      description: 'A test.',
      fileNames: { textEncoder: 'weights/text.safetensors' },
      provenance: { tool: 'test', step: 3 },
    });
    expect(model.manifest).toMatchObject({ description: 'A test.', provenance: { tool: 'test', step: 3 } });
    expect(model.files.get('weights/text.safetensors')).toBe(OPTIONS.weights.textEncoder);
  });

  it('refuses what breaks the format', async () => {
    await expect(buildWebModel({ ...OPTIONS, fileNames: { generator: '../g.safetensors' } })).rejects.toThrow(
      'manifest.json being written: files.generator.path must be a relative path',
    );
    await expect(buildWebModel({ ...OPTIONS, sampleCaptions: [] })).rejects.toThrow(
      'sampleCaptions must hold 1 to 64 captions, got 0',
    );
  });
});
