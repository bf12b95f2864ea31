import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams } from '../core/param-tree';
import { affineForward, affineModulation, initAffine } from './affine-kinds';
import { gBlockForward, initGBlock } from './g-block';
import {
  exportPhraseAttentionToStateDict,
  initPhraseAttention,
  loadPhraseAttentionFromStateDict,
  type PhraseAttentionParams,
  phraseAttentionConfig,
  phraseAttentionWeights,
} from './phrase-attention';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZES = { channels: 4, phraseWidth: 6, keyDim: 3, scoreGain: 2 };
const COND_DIM = 5;

function randomTensor(rng: SeededRandom, shape: number[]): tf.Tensor {
  return tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}

/** A phrase attention whose projections are all random, drawn from `seed`. */
function randomParams(seed: number): PhraseAttentionParams {
  const rng = new SeededRandom(seed);
  const params = initPhraseAttention(SIZES, rng);
  for (const linear of [params.query, params.position, params.key]) {
    (linear.weight as tf.Variable).assign(randomTensor(rng, linear.weight.shape));
  }
  return params;
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor | ArrayLike<number>, digits = 5) {
  const wanted = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  const got = actual.dataSync();
  expect(got.length).toBe(wanted.length);
  got.forEach((value, i) => {
    expect(value).toBeCloseTo(wanted[i]!, digits);
  });
}

describe('phrase attention', () => {
  const rng = new SeededRandom(3);
  // Two captions: the first with three phrases, the second with two (its third is padding).
  const phrases = () => ({
    embeddings: randomTensor(rng, [2, 3, SIZES.phraseWidth]) as tf.Tensor3D,
    mask: tf.tensor2d([1, 1, 1, 1, 1, 0], [2, 3]),
  });

  it('gives each place weights over its caption phrases: summing to 1, none on padding', () => {
    const params = randomParams(4);
    const x = randomTensor(rng, [2, 3, 5, SIZES.channels]);
    const input = phrases();
    const before = tf.memory().numTensors;
    const weights = phraseAttentionWeights(params, x, input);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(weights.shape).toEqual([2, 3, 5, 3]);
    expectClose(tf.sum(weights, 3), new Float32Array(2 * 3 * 5).fill(1));
    expectClose(tf.slice(weights, [1, 0, 0, 2], [1, 3, 5, 1]), new Float32Array(15));
    // Places differ through the place projection, so not every place weighs the phrases alike.
    const spread = tf.sub(tf.max(weights, [1, 2]), tf.min(weights, [1, 2])).dataSync();
    expect(Math.max(...spread)).toBeGreaterThan(0.01);
    expect(() => phraseAttentionWeights(params, tf.zeros([2, 3, 5, 7]), input)).toThrow(
      'phraseAttentionWeights: x must be [batch, height, width, 4], got [2, 3, 5, 7]',
    );
    expect(() =>
      phraseAttentionWeights(params, x, {
        embeddings: input.embeddings,
        mask: tf.ones([2, 2]) as tf.Tensor2D,
      }),
    ).toThrow('phraseAttentionWeights: phrase mask must be [2, 3], got [2, 2]');
    tf.dispose([x, weights, input.embeddings, input.mask]);
    disposeParams(params);
  });

  it('starts uniform over each caption phrases', () => {
    const params = initPhraseAttention(SIZES, new SeededRandom(5));
    const input = phrases();
    const weights = phraseAttentionWeights(params, randomTensor(rng, [2, 2, 2, SIZES.channels]), input);
    const expected = [1 / 3, 1 / 3, 1 / 3, 1 / 2, 1 / 2, 0];
    expectClose(
      weights,
      Array.from({ length: 2 * 4 * 3 }, (_, i) => expected[Math.floor(i / 12) * 3 + (i % 3)]!),
    );
    tf.dispose([weights, input.embeddings, input.mask]);
    disposeParams(params);
  });

  it("mixes an affine's per-phrase scale and shift by the weights at each place", () => {
    const affine = initAffine('conditional', { condDim: COND_DIM, channels: SIZES.channels }, rng);
    for (const head of [affine.gamma, affine.beta]) {
      (head.linear2.weight as tf.Variable).assign(randomTensor(rng, head.linear2.weight.shape));
    }
    const x = randomTensor(rng, [2, 2, 3, SIZES.channels]);
    const conds = randomTensor(rng, [2, 2, COND_DIM]) as tf.Tensor3D;
    const weights = tf.softmax(randomTensor(rng, [2, 2, 3, 2])) as tf.Tensor4D;
    const cond = tf.zeros([2, COND_DIM]);
    const before = tf.memory().numTensors;
    const out = affineForward(affine, x, cond, { phrases: { conds, weights } });
    expect(tf.memory().numTensors).toBe(before + 1);
    const expected = tf.tidy(() => {
      const perPhrase = [0, 1].map((k) => {
        const { gamma, beta } = affineModulation(
          affine,
          tf.squeeze(tf.slice(conds, [0, k, 0], [2, 1, COND_DIM]), [1]),
        );
        const channels = [2, 1, 1, SIZES.channels];
        const weight = tf.slice(weights, [0, 0, 0, k], [2, 2, 3, 1]);
        return tf.mul(weight, tf.add(tf.mul(tf.reshape(gamma, channels), x), tf.reshape(beta, channels)));
      });
      return tf.add(perPhrase[0]!, perPhrase[1]!);
    });
    expectClose(out, expected);
    expect(() =>
      affineForward(affine, x, cond, { phrases: { conds, weights: tf.zeros([2, 2, 3, 3]) as tf.Tensor4D } }),
    ).toThrow('affine: phrase weights must be [2, height, width, 2] for conds [2, 2, 5], got [2, 2, 3, 3]');
    const recurrent = initAffine(
      'recurrent',
      { condDim: COND_DIM, channels: SIZES.channels, hiddenSize: 3 },
      rng,
    );
    expect(() => affineForward(recurrent, x, cond, { phrases: { conds, weights } })).toThrow(
      "affine: phrases need a 'conditional' affine, got 'recurrent'",
    );
    tf.dispose([x, conds, weights, cond, out, expected]);
    disposeParams(affine);
    disposeParams(recurrent);
  });

  it('leaves a G-block as it was when a caption is one phrase, and trains its queries from the first step', () => {
    const block = initGBlock(
      { inChannels: SIZES.channels, outChannels: 2, condDim: SIZES.phraseWidth, size: 4, convKind: 'plain' },
      rng,
    );
    const params = initPhraseAttention(SIZES, new SeededRandom(6));
    const x = randomTensor(rng, [2, 2, 2, SIZES.channels]);
    const sentence = randomTensor(rng, [2, SIZES.phraseWidth]) as tf.Tensor2D;
    const mixtureOf = (embeddings: tf.Tensor3D, mask: tf.Tensor2D) => {
      const upsampled = tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [4, 4]);
      return { conds: embeddings, weights: phraseAttentionWeights(params, upsampled, { embeddings, mask }) };
    };
    const plain = gBlockForward(block, x, sentence);
    const single = tf.tidy(() =>
      gBlockForward(block, x, tf.zeros([2, SIZES.phraseWidth]), {
        phrases: mixtureOf(tf.expandDims(sentence, 1) as tf.Tensor3D, tf.ones([2, 1]) as tf.Tensor2D),
      }),
    );
    expectClose(single, plain);
    const two = phrases();
    const { grads } = tf.variableGrads(
      () =>
        tf.sum(
          tf.square(gBlockForward(block, x, sentence, { phrases: mixtureOf(two.embeddings, two.mask) })),
        ) as tf.Scalar,
      [params.query.weight, params.position.weight] as tf.Variable[],
    );
    for (const grad of Object.values(grads)) expect(tf.max(tf.abs(grad)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, sentence, plain, single, two.embeddings, two.mask, ...Object.values(grads)]);
    disposeParams(block);
    disposeParams(params);
  });

  it('round-trips through a state dict, with the gain from the options', () => {
    const params = randomParams(7);
    const dict = exportPhraseAttentionToStateDict(params, 'phrase_attention.1.');
    expect(Object.keys(dict).sort()).toEqual([
      'phrase_attention.1.key.weight',
      'phrase_attention.1.position.weight',
      'phrase_attention.1.query.weight',
    ]);
    const loaded = loadPhraseAttentionFromStateDict(dict, 'phrase_attention.1.', {
      scoreGain: SIZES.scoreGain,
    });
    expect(phraseAttentionConfig(loaded)).toEqual(SIZES);
    const x = randomTensor(rng, [2, 2, 2, SIZES.channels]);
    const input = phrases();
    expectClose(phraseAttentionWeights(loaded, x, input), phraseAttentionWeights(params, x, input));
    expect(() => initPhraseAttention({ ...SIZES, scoreGain: 0 }, rng)).toThrow('scoreGain');
    tf.dispose([x, input.embeddings, input.mask, ...Object.values(dict)]);
    disposeParams(params);
    disposeParams(loaded);
  });
});
