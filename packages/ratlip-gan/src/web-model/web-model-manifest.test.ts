import { describe, expect, it } from 'vitest';
import { WebModelFormatError } from './json-fields';
import {
  parseWebModelManifest,
  parseWebModelManifestText,
  WEB_MODEL_FORMAT,
  WEB_MODEL_FORMAT_VERSION,
  type WebModelManifest,
} from './web-model-manifest';

function validManifest(): WebModelManifest {
  return {
    format: WEB_MODEL_FORMAT,
    formatVersion: WEB_MODEL_FORMAT_VERSION,
    name: 'Shapes 64 px',
    description: 'Coloured shapes.',
    preset: 'ratlip-shapes-64',
    config: { name: 'ratlip-shapes-64', imageSize: 64 },
    files: {
      generator: { path: 'generator.safetensors', bytes: 1234, sha256: 'a'.repeat(64) },
      textEncoder: {
        path: 'weights/clip-text.safetensors',
        bytes: 999,
        sha256: '0123456789abcdef'.repeat(4),
      },
    },
    tokenizer: { kind: 'clip-bpe', contextLength: 77 },
    sampleCaptions: ['a red circle on the left'],
    provenance: {
      tool: 'ratlip export --web',
      run: 'runs/shapes',
      step: 1200,
      createdAt: '2025-01-02T03:04:05Z',
    },
  };
}

/** The manifest with `edit` applied to a deep copy. */
function edited(edit: (manifest: Record<string, unknown> & WebModelManifest) => void): unknown {
  const copy = structuredClone(validManifest()) as Record<string, unknown> & WebModelManifest;
  edit(copy);
  return copy;
}

function errorOf(json: unknown): string {
  try {
    parseWebModelManifest(json, 'm.json');
  } catch (error) {
    expect(error).toBeInstanceOf(WebModelFormatError);
    return (error as Error).message;
  }
  throw new Error('expected the manifest to be refused');
}

describe('parseWebModelManifest', () => {
  it('accepts a valid manifest and returns it unchanged', () => {
    expect(parseWebModelManifest(validManifest())).toEqual(validManifest());
  });

  it('accepts a manifest without the optional fields', () => {
    const minimal = edited((m) => {
      delete m.description;
      delete m.provenance;
    });
    expect(parseWebModelManifest(minimal)).toEqual(minimal);
  });

  it('round-trips through JSON text', () => {
    expect(parseWebModelManifestText(JSON.stringify(validManifest()))).toEqual(validManifest());
  });

  it.each([
    ['not an object', [], 'm.json: must be a JSON object, got an array'],
    [
      'wrong format',
      edited((m) => Object.assign(m, { format: 'other' })),
      "m.json: format must be 'ratlip-web-model'",
    ],
    [
      'newer version',
      edited((m) => Object.assign(m, { formatVersion: 2 })),
      'formatVersion must be 1, got number 2: the model was exported by a newer RATLIP.js',
    ],
    [
      'unknown top-level field',
      edited((m) => Object.assign(m, { extra: 1 })),
      "the top level has unknown field 'extra'",
    ],
    [
      'missing name',
      edited((m) => Object.assign(m, { name: undefined })),
      'name must be a string, got nothing (the field is missing)',
    ],
    ['empty preset', edited((m) => Object.assign(m, { preset: '  ' })), 'preset must not be empty'],
    [
      'config not an object',
      edited((m) => Object.assign(m, { config: [1] })),
      'config must be a JSON object, got an array',
    ],
    [
      'missing file role',
      edited((m) => Object.assign(m.files, { textEncoder: undefined })),
      'files.textEncoder is missing',
    ],
    [
      'unknown file role',
      edited((m) => Object.assign(m.files, { tokenizer: m.files.generator })),
      "files has unknown field 'tokenizer'",
    ],
    [
      'parent path',
      edited((m) => Object.assign(m.files.generator, { path: '../g.safetensors' })),
      'files.generator.path must be a relative path',
    ],
    [
      'absolute path',
      edited((m) => Object.assign(m.files.generator, { path: '/g.safetensors' })),
      'files.generator.path must be a relative path',
    ],
    [
      'URL path',
      edited((m) => Object.assign(m.files.generator, { path: 'https://cdn.example/g.safetensors' })),
      'files.generator.path must be a relative path',
    ],
    [
      'wrong extension',
      edited((m) => Object.assign(m.files.generator, { path: 'g.bin' })),
      "files.generator.path must end with '.safetensors'",
    ],
    [
      'upper-case hash',
      edited((m) => Object.assign(m.files.generator, { sha256: 'A'.repeat(64) })),
      'files.generator.sha256 must be 64 lowercase hex digits',
    ],
    [
      'short hash',
      edited((m) => Object.assign(m.files.generator, { sha256: 'abc' })),
      'files.generator.sha256 must be 64 lowercase hex digits',
    ],
    [
      'fractional size',
      edited((m) => Object.assign(m.files.generator, { bytes: 1.5 })),
      'files.generator.bytes must be an integer, got number 1.5',
    ],
    [
      'tiny size',
      edited((m) => Object.assign(m.files.generator, { bytes: 3 })),
      'files.generator.bytes must be between 9 and',
    ],
    [
      'shared file',
      edited((m) => Object.assign(m.files.textEncoder, { path: 'generator.safetensors' })),
      "files.textEncoder.path is 'generator.safetensors', the same file as files.generator",
    ],
    [
      'unknown tokenizer',
      edited((m) => Object.assign(m.tokenizer, { kind: 'sentencepiece' })),
      "tokenizer.kind must be 'clip-bpe'",
    ],
    [
      'bad context',
      edited((m) => Object.assign(m.tokenizer, { contextLength: 1 })),
      'tokenizer.contextLength must be between 2 and 4096, got 1',
    ],
    [
      'no captions',
      edited((m) => Object.assign(m, { sampleCaptions: [] })),
      'sampleCaptions must hold 1 to 64 captions, got 0',
    ],
    [
      'empty caption',
      edited((m) => Object.assign(m, { sampleCaptions: ['ok', ''] })),
      'sampleCaptions[1] must be a non-empty string',
    ],
    [
      'bad date',
      edited((m) => Object.assign(m.provenance!, { createdAt: 'yesterday' })),
      'provenance.createdAt must be an ISO 8601 date',
    ],
    [
      'negative step',
      edited((m) => Object.assign(m.provenance!, { step: -1 })),
      'provenance.step must be between 0 and',
    ],
  ])('refuses %s, naming the field', (_case, json, message) => {
    expect(errorOf(json)).toContain(message);
  });

  it('names the file when the text is not JSON', () => {
    expect(() => parseWebModelManifestText('{"format":', 'models/x/manifest.json')).toThrow(
      /^models\/x\/manifest\.json: is not valid JSON/,
    );
  });
});
