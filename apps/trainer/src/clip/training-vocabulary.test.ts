import {
  type ClipConfig,
  ClipTokenizer,
  ClipTrainer,
  clipParameterEntries,
  clipWeightsToSafetensors,
  initializeClipParameters,
  loadClipWeights,
  shapesClipTrainerOptions,
} from '@ratlip/clip';
import { ShapesDataset } from '@ratlip/datasets';
import { readSafetensors, useBackend, writeSafetensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesTokenIds } from './shapes-token-ids';
import { TrainingVocabulary } from './training-vocabulary';

const CONFIG: ClipConfig = {
  vision: { imageSize: 32, patchSize: 8, width: 32, layers: 1, heads: 2, embedDim: 32 },
  text: { contextLength: 77, vocabSize: 49408, width: 32, layers: 1, heads: 2, embedDim: 32 },
};
const BATCH = 6;
let tokenizer: ClipTokenizer;
let vocabulary: TrainingVocabulary;

beforeAll(async () => {
  await useBackend('wasm');
  tokenizer = await ClipTokenizer.load();
  vocabulary = new TrainingVocabulary(
    shapesTokenIds(tokenizer),
    CONFIG.text.vocabSize,
    tokenizer.endOfTextId,
  );
});

/** Shapes batches: random images (the text side is what differs) and real captions. */
function batches(count: number): Array<{ images: tf.Tensor4D; ids: Int32Array; captions: string[] }> {
  const dataset = new ShapesDataset({ size: count * BATCH });
  return Array.from({ length: count }, (_, b) => {
    const captions = Array.from({ length: BATCH }, (_, i) => dataset.captions(b * BATCH + i)[i % 10]!);
    return {
      images: tf.randomNormal([BATCH, 32, 32, 3], 0, 1, 'float32', b + 1) as tf.Tensor4D,
      ids: tokenizer.tokenize(captions).ids,
      captions,
    };
  });
}

function encodeText(model: { encodeText(ids: tf.Tensor2D): tf.Tensor2D }, ids: Int32Array): Float32Array {
  return tf.tidy(
    () => model.encodeText(tf.tensor2d(ids, [ids.length / 77, 77], 'int32')).dataSync() as Float32Array,
  );
}

describe('TrainingVocabulary', () => {
  it('holds every Shapes token with padding first and end-of-text last', () => {
    expect(vocabulary.ids[0]).toBe(0);
    expect(vocabulary.ids.at(-1)).toBe(tokenizer.endOfTextId);
    expect(vocabulary.size).toBeLessThan(200);
    const heldOut = new ShapesDataset({ split: 'heldout', seed: 9, size: 50 });
    const captions = Array.from({ length: 50 }, (_, i) => heldOut.captions(i)).flat();
    expect(() => vocabulary.map(tokenizer.tokenize(captions).ids, 'held-out captions')).not.toThrow();
    expect(() => vocabulary.map(tokenizer.tokenize(['a photo of a dog']).ids, 'other captions')).toThrow(
      /other captions: token id \d+ is not in the training vocabulary of \d+ ids/,
    );
  });

  it('trains the same CLIP as the full vocabulary and saves the same compact file', () => {
    const data = batches(3);
    const options = shapesClipTrainerOptions(3);
    const full = initializeClipParameters(CONFIG, { seed: 4 });
    const fullTrainer = new ClipTrainer(CONFIG, full, options);
    const compactParameters = vocabulary.compactParameters(CONFIG, full);
    const compactTrainer = new ClipTrainer(vocabulary.compactConfig(CONFIG), compactParameters, options);
    compactParameters.text.tokenEmbedding.dispose();
    for (const tensor of clipParameterEntries(full).values()) tensor.dispose();

    const before = tf.memory().numTensors;
    for (const { images, ids } of data) {
      const fullIds = tf.tensor2d(ids, [BATCH, 77], 'int32');
      const compactIds = tf.tensor2d(vocabulary.map(ids, 'batch'), [BATCH, 77], 'int32');
      const a = fullTrainer.step(images, fullIds);
      const b = compactTrainer.step(images, compactIds);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradientNorm).toBeCloseTo(a.gradientNorm, 4);
      tf.dispose([fullIds, compactIds]);
    }
    const file = vocabulary.compactWeightsFile(compactTrainer.model);
    expect(tf.memory().numTensors).toBe(before);

    const loaded = loadClipWeights(readSafetensors(writeSafetensors(file.tensors, file.metadata))).model;
    const reference = clipWeightsToSafetensors(fullTrainer.model, { tokenIds: vocabulary.ids });
    expect(file.tensors['token_embedding.weight']!.shape).toEqual(
      reference.tensors['token_embedding.weight']!.shape,
    );
    expect(file.metadata).toEqual(reference.metadata);
    const ids = data.map((batch) => batch.ids);
    const flat = Int32Array.from(ids.flatMap((row) => Array.from(row)));
    const expected = encodeText(fullTrainer.model, flat);
    const actual = encodeText(loaded, flat);
    const scale = Math.max(...expected.map(Math.abs));
    const worst = actual.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
    expect(worst).toBeLessThan(1e-4 * scale);
    loaded.dispose();
    fullTrainer.dispose();
    compactTrainer.dispose();
    tf.dispose(data.map((batch) => batch.images));
  });
});
