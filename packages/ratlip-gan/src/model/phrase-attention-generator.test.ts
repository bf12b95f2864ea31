import { ClipTokenizer } from '@ratlip/clip';
import { disposeParams } from '@ratlip/rat-blocks';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPool, takeBatch, tinySetup } from '../testing/tiny-model.test-support';
import { RatlipTrainer } from '../train/ratlip-trainer';
import { captionPhrases, encodePhrases } from './caption-phrases';
import { generatorCaptionTensors } from './generator-captions';
import {
  exportNetGToStateDict,
  loadNetGFromStateDict,
  netGForward,
  netGPhraseAttentionPrefix,
} from './net-g';
import { RatlipGan } from './ratlip-gan';
import { clipSentenceEncoder } from './sentence-encoder';

const TWO_PHRASES = ['a red circle at the top left AND a blue square at the bottom right', 'a green star'];
const ONE_PHRASE = ['a green star', 'a white cross at the top'];
const PHRASE_ATTENTION = { generator: { phraseAttention: { blocks: [0, 1], keyDim: 8, scoreGain: 3 } } };

describe('caption phrases', () => {
  it('splits at the separator, case-insensitively, trimmed, empty parts dropped', () => {
    expect(captionPhrases(TWO_PHRASES[0]!, ' and ')).toEqual([
      'a red circle at the top left',
      'a blue square at the bottom right',
    ]);
    expect(captionPhrases('a star, a circle,', ',')).toEqual(['a star', 'a circle']);
    expect(captionPhrases('a sandy beach', ' and ')).toEqual(['a sandy beach']);
    expect(captionPhrases(' and ', ' and ')).toEqual([' and ']);
    expect(() => captionPhrases('a star', '')).toThrow('captionPhrases: the separator must not be empty');
  });
});

describe('a generator with phrase attention (ratlip-tiny, wasm)', () => {
  let setup: ReturnType<typeof tinySetup>;
  let tokenizer: ClipTokenizer;

  beforeAll(async () => {
    await useBackend('wasm');
    setup = tinySetup(PHRASE_ATTENTION);
    tokenizer = await ClipTokenizer.load();
  });

  afterAll(() => {
    setup?.model.dispose();
    setup?.clip.dispose();
  });

  it("encodes each caption's phrases as their sentence embeddings, padded and masked", () => {
    const encoder = clipSentenceEncoder(setup.clip.text, tokenizer);
    const before = tf.memory().numTensors;
    const { embeddings, mask } = encodePhrases(encoder, TWO_PHRASES, ' and ');
    expect(tf.memory().numTensors).toBe(before + 2);
    const dim = setup.config.clip.text.embedDim;
    expect(embeddings.shape).toEqual([2, 2, dim]);
    expect(Array.from(mask.dataSync())).toEqual([1, 1, 1, 0]);
    const alone = encoder.encode([...captionPhrases(TWO_PHRASES[0]!, ' and '), TWO_PHRASES[1]!]);
    const flat = embeddings.reshape([4, dim]) as tf.Tensor2D;
    const rows = flat.arraySync();
    const wanted = alone.arraySync();
    [0, 1, 2].forEach((row) => {
      rows[row]!.forEach((value, i) => {
        expect(value).toBeCloseTo(wanted[row]![i]!, 4);
      });
    });
    tf.dispose([embeddings, mask, alone, flat]);
  });

  it('grown on a trained generator, draws one-phrase captions as before; needs the phrases', () => {
    const { config, clip } = setup;
    const plain = tinySetup({}, 9);
    // Fresh affines ignore their condition (zero last layers); trained ones do not.
    tf.tidy(() => {
      for (const block of plain.model.netG.blocks) {
        for (const affine of [
          block.fuse1.affine0,
          block.fuse1.affine1,
          block.fuse2.affine0,
          block.fuse2.affine1,
        ]) {
          if (affine.kind !== 'conditional') throw new Error('ratlip-tiny G-blocks have conditional affines');
          for (const head of [affine.gamma, affine.beta]) {
            const { weight } = head.linear2;
            (weight as tf.Variable).assign(tf.randomNormal(weight.shape, 0, 0.3, 'float32', 5));
          }
        }
      }
    });
    const before = tf.memory().numTensors;
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const grown = RatlipGan.initializedFrom(config, plain.model, {
      vision: clip.vision,
      seed: 4,
      sentenceEncoder: encoder,
    });
    expect(grown.readsPhrases).toBe(true);
    expect(Object.keys(grown.netG.phraseAttention).map(Number)).toEqual([0, 1]);
    const captions = grown.encodeCaptions(ONE_PHRASE);
    expect(captions.phrases!.embeddings.shape).toEqual([2, 1, config.clip.text.embedDim]);
    const noise = tf.randomNormal([2, config.generator.noiseDim], 0, 1, 'float32', 7);
    const a = grown.generator(noise, captions.sentences, { phrases: captions.phrases! });
    const b = plain.model.generator(noise, captions.sentences);
    a.dataSync().forEach((value, i) => {
      expect(value).toBeCloseTo(b.dataSync()[i]!, 5);
    });
    expect(() => grown.generator(noise, captions.sentences)).toThrow(
      "NetG: the affines of G-blocks 0, 1 read the captions' phrases; pass options.phrases",
    );
    const two = grown.encodeCaptions(TWO_PHRASES);
    const c = grown.generator(noise, two.sentences, { phrases: two.phrases! });
    const d = plain.model.generator(noise, two.sentences);
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(d.dataSync()));
    const wrongMask = tf.ones([2, 3]) as tf.Tensor2D;
    expect(() =>
      grown.generator(noise, two.sentences, {
        phrases: { embeddings: two.phrases!.embeddings, mask: wrongMask },
      }),
    ).toThrow(
      `NetG: phrases must be embeddings [2, phrases, ${config.clip.text.embedDim}] and mask [2, phrases]`,
    );
    tf.dispose([
      noise,
      a,
      b,
      c,
      d,
      wrongMask,
      ...generatorCaptionTensors(captions),
      ...generatorCaptionTensors(two),
    ]);
    grown.dispose();
    expect(tf.memory().numTensors).toBe(before);
    plain.model.dispose();
    plain.clip.dispose();
  });

  it('saves its attention under phrase_attention.<block>., loads it back, and generates from texts', () => {
    const { config, clip, model } = setup;
    tf.tidy(() => {
      for (const attention of Object.values(model.netG.phraseAttention)) {
        for (const linear of [attention.query, attention.position]) {
          (linear.weight as tf.Variable).assign(tf.randomNormal(linear.weight.shape, 0, 1, 'float32', 3));
        }
      }
    });
    const dict = exportNetGToStateDict(model.netG);
    expect(
      Object.keys(dict)
        .filter((key) => key.startsWith(netGPhraseAttentionPrefix(1)))
        .sort(),
    ).toEqual(
      ['key.weight', 'position.weight', 'query.weight'].map(
        (name) => `${netGPhraseAttentionPrefix(1)}${name}`,
      ),
    );
    const loaded = loadNetGFromStateDict(dict, config);
    const gan = RatlipGan.fromStateDicts(
      config,
      { netG: dict },
      { vision: clip.vision, sentenceEncoder: clipSentenceEncoder(clip.text, tokenizer) },
    );
    const before = tf.memory().numTensors;
    const captions = gan.encodeCaptions(TWO_PHRASES);
    const noise = tf.randomNormal([2, config.generator.noiseDim], 0, 1, 'float32', 7);
    const a = netGForward(model.netG, clip.vision, noise, captions.sentences, { phrases: captions.phrases! });
    const b = netGForward(loaded, clip.vision, noise, captions.sentences, { phrases: captions.phrases! });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const fromTexts = gan.generate({ texts: TWO_PHRASES, seed: 1 });
    const fromEmbeddings = gan.generate({
      sentenceEmbeddings: captions.sentences,
      phrases: captions.phrases!,
      seed: 1,
    });
    expect(Array.from(fromEmbeddings.dataSync())).toEqual(Array.from(fromTexts.dataSync()));
    expect(() => gan.generate({ sentenceEmbeddings: captions.sentences, seed: 1 })).toThrow(
      'generate: this generator has phrase attention, so sentenceEmbeddings need their phrases (RatlipGan.encodeCaptions); or pass texts',
    );
    tf.dispose([noise, a, b, fromTexts, fromEmbeddings, ...generatorCaptionTensors(captions)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(dict));
    disposeParams(loaded);
    gan.dispose();
  });

  it('trains its queries with the batch phrases, and refuses a batch without them', () => {
    const { config, model, clip } = setup;
    const trainer = new RatlipTrainer(model, { seed: 3 });
    const pool = randomPool(config, new SeededRandom(8), 2);
    const batch = takeBatch(pool, [0, 1]);
    expect(() => trainer.step(batch)).toThrow(/pass options\.phrases/);
    const phrases = encodePhrases(clipSentenceEncoder(clip.text, tokenizer), TWO_PHRASES, ' and ');
    const queries = () =>
      Object.values(model.netG.phraseAttention).map((attention) =>
        Array.from(attention.query.weight.dataSync()),
      );
    const queriesBefore = queries();
    const before = tf.memory().numTensors;
    const { losses } = trainer.step({ ...batch, phrases });
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses.g)).toBe(true);
    expect(queries()).not.toEqual(queriesBefore);
    tf.dispose([
      pool.images,
      pool.sentences,
      batch.images,
      batch.sentences,
      phrases.embeddings,
      phrases.mask,
    ]);
    trainer.dispose();
  });
});
