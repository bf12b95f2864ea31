import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipModel } from '../model/clip-model';
import { clipParameterEntries } from '../model/clip-parameters';
import { initializeClipParameters } from '../model/initialize-clip-parameters';
import { cropToEndOfText, endOfTextLength } from './end-of-text-length';
import { miniClipConfig, syntheticIds } from './mini-config.test-support';
import { frozenClipCopy, trainableClip } from './trainable-clip';

const VOCAB = 64;
const config = miniClipConfig(VOCAB);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
}

describe('trainableClip', () => {
  it('builds the same model on trainable variables and leaves the given parameters alone', () => {
    const before = tf.memory().numTensors;
    const frozen = new ClipModel(config, initializeClipParameters(config, { seed: 3 }));
    const { model, variables } = trainableClip(config, frozen.parameters);
    expect([...variables.keys()]).toEqual([...clipParameterEntries(frozen.parameters).keys()]);
    expect([...variables.values()].every((v) => v instanceof tf.Variable && v.trainable)).toBe(true);
    const pixels = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const ids = tf.tensor2d(syntheticIds([5, 9], 77, VOCAB), [2, 77], 'int32');
    const [frozenImage, trainedImage] = [frozen.encodeImage(pixels), model.encodeImage(pixels)];
    expect(maxAbsDifference(frozenImage, trainedImage)).toBe(0);
    const reference = frozen.parameters.logitScale.dataSync()[0]!;
    const copy = frozenClipCopy(model);
    tf.tidy(() => variables.get('logit_scale')!.assign(tf.scalar(1)));
    expect(frozen.parameters.logitScale.dataSync()[0]).toBe(reference);
    expect(copy.logitScale.dataSync()[0]).toBe(reference);
    tf.dispose([pixels, ids, frozenImage, trainedImage]);
    for (const owner of [frozen, model, copy]) owner.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('endOfTextLength', () => {
  it('crops to the last end-of-text token without changing the text embeddings', () => {
    const model = new ClipModel(config, initializeClipParameters(config, { seed: 1 }));
    const ids = tf.tensor2d(syntheticIds([4, 11, 7], 77, VOCAB), [3, 77], 'int32');
    expect(endOfTextLength(ids)).toBe(11);
    const cropped = ids.slice([0, 0], [3, 11]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const full = model.encodeText(ids);
    const short = model.encodeText(cropped);
    expect(maxAbsDifference(full, short)).toBeLessThan(1e-6);
    tf.dispose([full, short]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, cropped]);
    model.dispose();
  });

  it('cropToEndOfText cuts the host ids to the same length, row by row', () => {
    const counts = [4, 11, 7];
    const ids = syntheticIds(counts, 77, VOCAB);
    const eotIndices = Int32Array.from(counts, (count) => count - 1);
    const tokens = { ids, count: 3, contextLength: 77, lengths: Int32Array.from(counts), eotIndices };
    const tensor = tf.tensor2d(ids, [3, 77], 'int32');
    const { ids: cropped, length } = cropToEndOfText(tokens);
    expect(length).toBe(endOfTextLength(tensor));
    expect(Array.from(cropped)).toEqual(Array.from(tensor.slice([0, 0], [3, length]).dataSync()));
    tensor.dispose();
  });

  it('rejects float ids', () => {
    const ids = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => endOfTextLength(ids)).toThrow(/ids must be int32 \[batch, length\], got float32 \[2, 3\]/);
    ids.dispose();
  });
});
