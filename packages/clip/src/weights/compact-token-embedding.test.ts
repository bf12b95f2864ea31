import { readSafetensors, type SafetensorsFile, writeSafetensors } from '@ratlip/runtime';
import { expectNoTensorLeak, readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipModel } from '../model/clip-model';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer';
import { COMPACT_TOKEN_EMBEDDING_METADATA } from './compact-token-embedding';
import { clipWeightsTokenIds } from './compact-token-ids';
import { inferClipConfig, loadClipTextWeights, loadClipWeights } from './load-clip-weights';
import {
  type ClipWeightsFile,
  clipTextWeightsToSafetensors,
  clipWeightsToSafetensors,
} from './save-clip-weights';

const fixture = readFixture('clip/tiny_clip_openai.safetensors');
const CAPTIONS = ['a red circle', 'a small blue square in the top left', 'there is a large green star'];
const OTHER_CAPTION = 'a photo of a dog';

let model: ClipModel;
let tokenizer: ClipTokenizer;
let keptIds: number[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = loadClipWeights(fixture).model;
  tokenizer = await ClipTokenizer.load();
  keptIds = [
    tokenizer.startOfTextId,
    tokenizer.endOfTextId,
    ...CAPTIONS.flatMap((caption) => tokenizer.encode(caption)),
  ];
});

afterAll(() => model.dispose());

function write(
  file: ClipWeightsFile,
  source = 'compact.safetensors',
): { bytes: Uint8Array; file: SafetensorsFile } {
  const bytes = writeSafetensors(file.tensors, file.metadata);
  return { bytes, file: readSafetensors(bytes, { source }) };
}

function idsTensor(captions: readonly string[]): tf.Tensor2D {
  const tokens = tokenizer.tokenize(captions, { contextLength: model.config.text.contextLength });
  return tf.tensor2d(tokens.ids, [tokens.count, tokens.contextLength], 'int32');
}

function textEmbeddings(tower: Pick<ClipModel['text'], 'encode'>, captions: readonly string[]): Float32Array {
  return tf.tidy(() => tower.encode(idsTensor(captions)).dataSync() as Float32Array);
}

function withMetadata(file: SafetensorsFile, key: string, value: string): SafetensorsFile {
  const tensors = Object.fromEntries(
    file
      .names()
      .map((name) => [
        name,
        { dtype: 'F32' as const, shape: file.entry(name).shape, data: file.float32(name) },
      ]),
  );
  return readSafetensors(writeSafetensors(tensors, { ...file.metadata, [key]: value }), {
    source: 'corrupt.safetensors',
  });
}

describe('compact CLIP weights (token-embedding rows of given ids)', () => {
  it.each(['openai', 'huggingface'] as const)(
    'round-trips in %s naming: same embeddings for captions of kept tokens, a much smaller file',
    (naming) => {
      const before = tf.memory().numTensors;
      const full = write(clipWeightsToSafetensors(model, { naming }));
      const compact = write(
        expectNoTensorLeak(() => clipWeightsToSafetensors(model, { naming, tokenIds: keptIds }), {
          label: 'save compact',
        }),
      );
      const { vocabSize, width } = model.config.text;
      const unique = [...new Set(keptIds)].sort((a, b) => a - b);
      expect(compact.bytes.byteLength).toBeLessThan(
        full.bytes.byteLength - (vocabSize - unique.length) * width * 4 + 4096,
      );
      expect(Array.from(clipWeightsTokenIds(compact.file)!)).toEqual(unique);
      expect(clipWeightsTokenIds(full.file)).toBeUndefined();
      expect(inferClipConfig(compact.file)).toEqual(model.config);

      const loaded = loadClipWeights(compact.file);
      expect(loaded.naming).toBe(naming);
      expect(loaded.config).toEqual(model.config);
      expect(textEmbeddings(loaded.model.text, CAPTIONS)).toEqual(textEmbeddings(model.text, CAPTIONS));
      const image = tf.randomNormal(
        [2, model.config.vision.imageSize, model.config.vision.imageSize, 3],
        0,
        1,
        'float32',
        3,
      ) as tf.Tensor4D;
      const [expected, actual] = [model, loaded.model].map((m) =>
        tf.tidy(() => m.encodeImage(image).dataSync()),
      );
      expect(actual).toEqual(expected);
      image.dispose();
      // Rows of dropped ids read as zero.
      const embedding = loaded.model.parameters.text.tokenEmbedding;
      const dropped = tokenizer.encode(OTHER_CAPTION).find((id) => !unique.includes(id))!;
      const row = tf.tidy(() => embedding.slice([dropped, 0], [1, width]).abs().max().dataSync()[0]);
      expect(row).toBe(0);
      loaded.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('works for the text tower alone and in half precision', () => {
    const text = loadClipTextWeights(
      write(clipTextWeightsToSafetensors(model.text, { tokenIds: keptIds })).file,
    );
    expect(textEmbeddings(text.model, CAPTIONS)).toEqual(textEmbeddings(model.text, CAPTIONS));
    text.model.dispose();
    const half = write(clipWeightsToSafetensors(model, { tokenIds: keptIds, dtype: 'F16' }));
    expect(half.file.entry('token_embedding.weight').dtype).toBe('F16');
    const loaded = loadClipWeights(half.file).model;
    const [a, b] = [textEmbeddings(loaded.text, CAPTIONS), textEmbeddings(model.text, CAPTIONS)];
    const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    expect(worst).toBeLessThan(1e-2 * Math.max(...b.map(Math.abs)));
    loaded.dispose();
  });

  it('rejects an id outside the vocabulary when saving', () => {
    const vocab = model.config.text.vocabSize;
    expect(() => clipWeightsToSafetensors(model, { tokenIds: [1, vocab] })).toThrow(
      `SaveClipWeightsOptions.tokenIds: token id ${vocab} is not an integer in [0, ${vocab})`,
    );
    expect(() => clipWeightsToSafetensors(model, { tokenIds: [] })).toThrow(/at least one token id/);
  });

  describe('names the file and the problem of a corrupt id list', () => {
    type Corruption = (record: Record<string, unknown>) => string;
    const changed =
      (changes: Record<string, unknown>): Corruption =>
      (record) =>
        JSON.stringify({ ...record, ...changes });
    const where = `corrupt.safetensors: metadata '${COMPACT_TOKEN_EMBEDDING_METADATA}'`;
    it.each<[string, Corruption, string]>([
      [
        'not increasing',
        changed({ ids: [3, 5, 5, 49407] }),
        `${where}: ids[2] = 5 follows 5; the ids must be strictly increasing`,
      ],
      [
        'out of range',
        changed({ ids: [3, 5, 49406, 60000] }),
        `${where}: ids[3] = 60000 is not an integer in [0, 49408)`,
      ],
      [
        'not an integer',
        changed({ ids: [3, 5.5, 49406, 49407] }),
        `${where}: ids[1] = 5.5 is not an integer`,
      ],
      [
        'too few',
        changed({ ids: [3, 5, 49407] }),
        `${where}: lists 3 ids but tensor 'token_embedding.weight' has shape [4, `,
      ],
      [
        'unknown tensor',
        changed({ tensor: 'embedding' }),
        `${where}: 'tensor' must name a tensor of the file, got "embedding"`,
      ],
      [
        'bad vocabulary',
        changed({ vocab_size: 0 }),
        `${where}: 'vocab_size' must be a positive integer, got 0`,
      ],
      ['no ids', changed({ ids: 'all' }), `${where}: 'ids' must be an array of token ids`],
      ['not JSON', () => '[3, 5', `${where} is not valid JSON`],
    ])('%s', (_name, corruption, message) => {
      const compact = write(clipWeightsToSafetensors(model, { tokenIds: [3, 5, 49406, 49407] })).file;
      const record = JSON.parse(compact.metadata[COMPACT_TOKEN_EMBEDDING_METADATA]!) as Record<
        string,
        unknown
      >;
      const file = withMetadata(compact, COMPACT_TOKEN_EMBEDDING_METADATA, corruption(record));
      const before = tf.memory().numTensors;
      expect(() => loadClipWeights(file)).toThrow(message);
      expect(() => clipWeightsTokenIds(file)).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
