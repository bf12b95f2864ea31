import { ClipTokenizer } from '@ratlip/clip';
import { disposeParams } from '@ratlip/rat-blocks';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPool, takeBatch, tinySetup } from '../testing/tiny-model.test-support';
import { RatlipTrainer } from '../train/ratlip-trainer';
import {
  exportNetGToStateDict,
  initNetG,
  loadNetGFromStateDict,
  netGForward,
  netGPlaceModulationPrefix,
  netGWordAttentionPrefix,
  netGWordContextPrefix,
} from './net-g';
import { RatlipGan } from './ratlip-gan';
import { clipSentenceEncoder } from './sentence-encoder';

const CAPTIONS = ['a red circle at the top left and a blue square at the bottom right', 'a green star'];
const WORD_ATTENTION = {
  generator: { wordAttention: { blocks: [0, 1], valueGain: 3, scoreGain: 4, positionQuery: true } },
};

describe('a generator with word attention (ratlip-tiny, wasm)', () => {
  let setup: ReturnType<typeof tinySetup>;
  let tokenizer: ClipTokenizer;

  beforeAll(async () => {
    await useBackend('wasm');
    setup = tinySetup(WORD_ATTENTION);
    tokenizer = await ClipTokenizer.load();
  });

  afterAll(() => {
    setup?.model.dispose();
    setup?.clip.dispose();
  });

  it('starts as the same generator without it, and needs the words', () => {
    const { config, clip } = setup;
    const plainConfig = {
      ...config,
      generator: { ...config.generator, wordAttention: { ...config.generator.wordAttention, blocks: [] } },
    };
    const withWords = initNetG(config, new SeededRandom(4));
    const plain = initNetG(plainConfig, new SeededRandom(4));
    expect(withWords.wordAttention.map((attention) => attention.value.weight.shape[1])).toEqual(
      config.generator.wordAttention.blocks.map((block) => config.generator.blockChannels[block]![1]),
    );
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const { sentences, words } = encoder.encodeWithWords!(CAPTIONS);
    const noise = tf.randomNormal([CAPTIONS.length, config.generator.noiseDim], 0, 1, 'float32', 5);
    const a = netGForward(withWords, clip.vision, noise, sentences, { words });
    const b = netGForward(plain, clip.vision, noise, sentences);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(() => netGForward(withWords, clip.vision, noise, sentences)).toThrow(
      'NetG: this generator attends over word features after G-blocks 0, 1; pass options.words',
    );
    const wrong = tf.zeros([CAPTIONS.length, 3, config.clip.text.width + 1]) as tf.Tensor3D;
    expect(() =>
      netGForward(withWords, clip.vision, noise, sentences, { words: { features: wrong, mask: words.mask } }),
    ).toThrow(
      `NetG: word features must be [2, words, ${config.clip.text.width}], got [2, 3, ${config.clip.text.width + 1}]`,
    );
    tf.dispose([sentences, words.features, words.mask, noise, a, b, wrong]);
    disposeParams(withWords);
    disposeParams(plain);
  });

  it('saves its attention under word_attention.<block>. and loads it back', () => {
    const { config, clip, model } = setup;
    tf.tidy(() => {
      for (const { value } of model.netG.wordAttention) {
        (value.weight as tf.Variable).assign(tf.randomNormal(value.weight.shape, 0, 0.5, 'float32', 1));
      }
    });
    const dict = exportNetGToStateDict(model.netG);
    for (const block of config.generator.wordAttention.blocks) {
      expect(
        Object.keys(dict)
          .filter((key) => key.startsWith(netGWordAttentionPrefix(block)))
          .sort(),
      ).toEqual(
        [
          'key.weight',
          ...(config.generator.wordAttention.positionQuery ? ['position.weight'] : []),
          'query.weight',
          'value.bias',
          'value.weight',
        ].map((name) => `${netGWordAttentionPrefix(block)}${name}`),
      );
    }
    const loaded = loadNetGFromStateDict(dict, config);
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const { sentences, words } = encoder.encodeWithWords!(CAPTIONS);
    const noise = tf.randomNormal([CAPTIONS.length, config.generator.noiseDim], 0, 1, 'float32', 6);
    const a = netGForward(model.netG, clip.vision, noise, sentences, { words });
    const b = netGForward(loaded, clip.vision, noise, sentences, { words });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // With a trained value projection the words change the image.
    const other = encoder.encodeWithWords!(['a white cross', 'a black hexagon at the centre']);
    const c = netGForward(model.netG, clip.vision, noise, sentences, { words: other.words });
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
    tf.dispose([...Object.values(dict), sentences, words.features, words.mask, noise, a, b, c]);
    tf.dispose([other.sentences, other.words.features, other.words.mask]);
    disposeParams(loaded);
  });

  it('generates from texts through encodeWithWords, and refuses sentence embeddings without words', () => {
    const { config, clip } = setup;
    const model = RatlipGan.create(config, {
      vision: clip.vision,
      sentenceEncoder: clipSentenceEncoder(clip.text, tokenizer),
      seed: 2,
    });
    expect(model.readsWords).toBe(true);
    const before = tf.memory().numTensors;
    const images = model.generate({ texts: CAPTIONS, seed: 1 });
    expect(images.shape).toEqual([CAPTIONS.length, config.imageSize, config.imageSize, 3]);
    const { sentences, words } = model.encodeCaptions(CAPTIONS);
    const again = model.generate({ sentenceEmbeddings: sentences, words: words!, seed: 1 });
    expect(Array.from(again.dataSync())).toEqual(Array.from(images.dataSync()));
    expect(() => model.generate({ sentenceEmbeddings: sentences, seed: 1 })).toThrow(
      /word attention, so sentenceEmbeddings need their words/,
    );
    tf.dispose([images, again, sentences, words!.features, words!.mask]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('initializedFrom: a trained generator gains word attention and draws as before', () => {
    const { config, clip } = setup;
    const plain = tinySetup({}, 9);
    const before = tf.memory().numTensors;
    const grown = RatlipGan.initializedFrom(config, plain.model, { vision: clip.vision, seed: 4 });
    expect(grown.readsWords).toBe(true);
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const { sentences, words } = encoder.encodeWithWords!(CAPTIONS);
    const noise = tf.randomNormal([CAPTIONS.length, config.generator.noiseDim], 0, 1, 'float32', 7);
    const a = grown.generator(noise, sentences, { words });
    const b = plain.model.generator(noise, sentences);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const [grownDicts, plainDicts] = [grown.exportStateDicts(), plain.model.exportStateDicts()];
    for (const name of Object.keys(plainDicts.netD!)) {
      expect(Array.from(grownDicts.netD![name]!.dataSync()), name).toEqual(
        Array.from(plainDicts.netD![name]!.dataSync()),
      );
    }
    const exported = [...Object.values(grownDicts), ...Object.values(plainDicts)].flatMap((dict) =>
      Object.values(dict),
    );
    tf.dispose([sentences, words.features, words.mask, noise, a, b, ...exported]);
    grown.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => RatlipGan.initializedFrom(plain.config, setup.model, { vision: clip.vision })).toThrow(
      /netG\.word_attention\.0\.\S+ of the source has no place in the new config/,
    );
    const wider = tinySetup({ generator: { ngf: 32 } });
    expect(() => RatlipGan.initializedFrom(wider.config, plain.model, { vision: clip.vision })).toThrow(
      /RatlipGan\.initializedFrom: netG\.\S+ is \[.*\] in the source but \[.*\] in the new config/,
    );
    for (const model of [plain, wider]) {
      model.model.dispose();
      model.clip.dispose();
    }
  });

  /**
   * Grows the trained `setup.model` into a config whose word attention also has `extra`, checks that it
   * draws as before, that it draws otherwise once `train` has moved the new weights, and that a state-dict
   * round trip keeps that; returns the grown generator's state-dict keys under `prefix`.
   */
  function growAndCheck(extra: object, train: (grown: RatlipGan) => void, prefix: string): string[] {
    const { clip, model } = setup;
    const target = tinySetup({
      generator: { wordAttention: { ...WORD_ATTENTION.generator.wordAttention, ...extra } },
    });
    const config = target.config;
    target.model.dispose();
    target.clip.dispose();
    const before = tf.memory().numTensors;
    const grown = RatlipGan.initializedFrom(config, model, { vision: clip.vision, seed: 3 });
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const { sentences, words } = encoder.encodeWithWords!(CAPTIONS);
    const noise = tf.randomNormal([CAPTIONS.length, config.generator.noiseDim], 0, 1, 'float32', 8);
    const plainImages = model.generator(noise, sentences, { words });
    const grownImages = grown.generator(noise, sentences, { words });
    expect(Array.from(grownImages.dataSync())).toEqual(Array.from(plainImages.dataSync()));
    tf.tidy(() => train(grown));
    const trainedImages = grown.generator(noise, sentences, { words });
    expect(Array.from(trainedImages.dataSync())).not.toEqual(Array.from(plainImages.dataSync()));
    const dict = exportNetGToStateDict(grown.netG);
    const loaded = loadNetGFromStateDict(dict, config);
    const loadedImages = netGForward(loaded, clip.vision, noise, sentences, { words });
    expect(Array.from(loadedImages.dataSync())).toEqual(Array.from(trainedImages.dataSync()));
    const keys = Object.keys(dict)
      .filter((key) => key.startsWith(prefix))
      .sort();
    tf.dispose([...Object.values(dict), sentences, words.features, words.mask, noise]);
    tf.dispose([plainImages, grownImages, trainedImages, loadedImages]);
    disposeParams(loaded);
    grown.dispose();
    expect(tf.memory().numTensors).toBe(before);
    return keys;
  }

  it('word context: a trained generator gains it and draws as before; trained, it changes what the words say', () => {
    const keys = growAndCheck(
      { contextLayers: 2, contextHeads: 2 },
      (grown) => {
        expect(grown.netG.wordContext).toHaveLength(2);
        for (const { output } of grown.netG.wordContext) {
          (output.weight as tf.Variable).assign(tf.randomNormal(output.weight.shape, 0, 0.5, 'float32', 2));
        }
      },
      netGWordContextPrefix(1),
    );
    expect(keys).toEqual(
      ['key.weight', 'output.bias', 'output.weight', 'query.weight', 'value.bias', 'value.weight'].map(
        (name) => `${netGWordContextPrefix(1)}${name}`,
      ),
    );
  });

  it('place modulation: a trained generator gains it and draws as before; trained, it changes the images', () => {
    const { blocks } = WORD_ATTENTION.generator.wordAttention;
    const gBlocks = setup.config.generator.blockChannels.length;
    // Each G-block right after a word attention gets one.
    const modulated = blocks.map((block) => block + 1).filter((block) => block < gBlocks);
    const keys = growAndCheck(
      { placeModulation: true, placeGain: 2 },
      (grown) => {
        expect(Object.keys(grown.netG.placeModulation).map(Number)).toEqual(modulated);
        for (const modulation of Object.values(grown.netG.placeModulation)) {
          for (const head of modulation.heads) {
            (head.weight as tf.Variable).assign(tf.randomNormal(head.weight.shape, 0, 0.2, 'float32', 4));
          }
        }
      },
      netGPlaceModulationPrefix(modulated[0]!),
    );
    expect(keys).toHaveLength(8);
  });

  it('initializedFrom: a generator-only source gets a fresh discriminator when asked', () => {
    const { config, clip } = setup;
    const trained = setup.model.exportStateDicts();
    const generatorOnly = RatlipGan.fromStateDicts(config, { netG: trained.netG }, { vision: clip.vision });
    const before = tf.memory().numTensors;
    const withoutD = RatlipGan.initializedFrom(config, generatorOnly, { vision: clip.vision, seed: 4 });
    expect(withoutD.netD).toBeUndefined();
    withoutD.dispose();
    const grown = RatlipGan.initializedFrom(config, generatorOnly, {
      vision: clip.vision,
      seed: 4,
      withDiscriminator: true,
    });
    const fresh = RatlipGan.create(config, { vision: clip.vision, seed: 4 });
    const [grownDicts, freshDicts] = [grown.exportStateDicts(), fresh.exportStateDicts()];
    expect(Object.keys(grownDicts.netD!).length).toBeGreaterThan(0);
    for (const network of ['netD', 'netC'] as const) {
      for (const [name, tensor] of Object.entries(freshDicts[network]!)) {
        expect(Array.from(grownDicts[network]![name]!.dataSync()), `${network}.${name}`).toEqual(
          Array.from(tensor.dataSync()),
        );
      }
    }
    for (const [name, tensor] of Object.entries(trained.netG)) {
      expect(Array.from(grownDicts.netG[name]!.dataSync()), name).toEqual(Array.from(tensor.dataSync()));
    }
    tf.dispose(
      [...Object.values(grownDicts), ...Object.values(freshDicts)].flatMap((dict) => Object.values(dict)),
    );
    grown.dispose();
    fresh.dispose();
    expect(tf.memory().numTensors).toBe(before);
    generatorOnly.dispose();
    tf.dispose(Object.values(trained).flatMap((dict) => Object.values(dict)));
  });

  it('trains with the batch words and refuses a batch without them', () => {
    const { config, model, clip } = setup;
    const trainer = new RatlipTrainer(model, { seed: 3 });
    const pool = randomPool(config, new SeededRandom(8), 2);
    const batch = takeBatch(pool, [0, 1]);
    expect(() => trainer.step(batch)).toThrow(/the batch needs words/);
    const { words } = clipSentenceEncoder(clip.text, tokenizer).encodeWithWords!(CAPTIONS);
    const values = () =>
      model.netG.wordAttention.map((attention) => Array.from(attention.value.weight.dataSync()));
    const valuesBefore = values();
    const before = tf.memory().numTensors;
    const { losses } = trainer.step({ ...batch, words });
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses.g)).toBe(true);
    expect(values()).not.toEqual(valuesBefore);
    tf.dispose([pool.images, pool.sentences, batch.images, batch.sentences, words.features, words.mask]);
    trainer.dispose();
  });
});
