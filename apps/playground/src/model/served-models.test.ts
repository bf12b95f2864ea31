import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseModelIndexText, readWebModelFolder, type WebModelFileSource } from '@ratlip/ratlip-gan';
import { describe, expect, it } from 'vitest';

const MODELS_FOLDER = new URL('../../public/models/', import.meta.url);

/** A model folder under `public/models`, read from disk. */
function servedFolder(manifest: string): WebModelFileSource {
  const manifestUrl = new URL(manifest, MODELS_FOLDER);
  return {
    label: fileURLToPath(manifestUrl),
    readManifest: async () => ({
      text: await readFile(manifestUrl, 'utf8'),
      source: fileURLToPath(manifestUrl),
    }),
    readFile: async ({ file, onBytes }) => {
      const bytes = new Uint8Array(await readFile(new URL(file.path, manifestUrl)));
      onBytes(bytes.byteLength);
      return bytes;
    },
  };
}

describe('the models served with the app (public/models)', () => {
  it('lists them in a valid index.json, each a complete web model whose files match its manifest', async () => {
    const indexUrl = new URL('index.json', MODELS_FOLDER);
    const index = parseModelIndexText(await readFile(indexUrl, 'utf8'), fileURLToPath(indexUrl));
    // The app serves a default model (the first entry): the Shapes generator from the trainer.
    expect(index.models.length).toBeGreaterThan(0);
    for (const entry of index.models) {
      const model = await readWebModelFolder(servedFolder(entry.manifest));
      expect(model.manifest.sampleCaptions.length, entry.id).toBeGreaterThan(0);
    }
  });
});
