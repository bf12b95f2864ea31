import { type ClipConfig, ClipModel, ClipTokenizer, initializeClipParameters } from '@ratlip/clip';
import {
  clipSentenceEncoder,
  exportWebModel,
  type GenerateOptions,
  RatlipGan,
  resolveConfig,
  type WebModelBytes,
} from '@ratlip/ratlip-gan';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextToImage } from './text-to-image';

const CAPTION = 'a green triangle in the middle';

let clip: ClipModel;
let gan: RatlipGan;
let exported: WebModelBytes;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const config = resolveConfig('ratlip-tiny');
  const clipConfig: ClipConfig = { vision: config.clip.vision, text: config.clip.text };
  clip = new ClipModel(clipConfig, initializeClipParameters(clipConfig, { seed: 11 }));
  gan = RatlipGan.create(config, {
    vision: clip.vision,
    seed: 12,
    withDiscriminator: false,
    sentenceEncoder: clipSentenceEncoder(clip.text, await ClipTokenizer.load()),
  });
  const folder = await exportWebModel({
    model: gan,
    textTower: clip.text,
    name: 'tiny',
    sampleCaptions: [CAPTION],
  });
  exported = {
    manifest: folder.manifest,
    weights: {
      generator: folder.files.get(folder.manifest.files.generator.path)!,
      textEncoder: folder.files.get(folder.manifest.files.textEncoder.path)!,
    },
    label: 'memory',
  };
});

afterAll(() => {
  gan.dispose();
  clip.dispose();
});

/** The largest difference between `values` and the images `gan.generate(options)` makes. */
function largestDifference(values: Float32Array, gan: RatlipGan, options: GenerateOptions): number {
  const reference = gan.generate(options);
  const expected = reference.dataSync();
  reference.dispose();
  let worst = 0;
  for (let index = 0; index < expected.length; index++) {
    worst = Math.max(worst, Math.abs(values[index]! - expected[index]!));
  }
  return worst;
}

describe('TextToImage', () => {
  it('makes the images RatlipGan.generate makes from the exported model, leaking no tensors', async () => {
    const beforeLoad = tf.memory().numTensors;
    const model = await TextToImage.load(exported);
    const beforeGenerate = tf.memory().numTensors;
    const result = await model.generate({ caption: CAPTION, seed: 5, count: 2 });
    expect(tf.memory().numTensors).toBe(beforeGenerate);
    const size = gan.config.generator.outputSize;
    expect(result).toMatchObject({ count: 2, width: size, height: size });
    expect(result.values).toHaveLength(2 * size * size * 3);

    expect(
      largestDifference(result.values, gan, { texts: [CAPTION], seed: 5, count: 2 }),
    ).toBeLessThanOrEqual(1e-6);

    model.dispose();
    expect(tf.memory().numTensors).toBe(beforeLoad);
  });

  it('names the option that is out of range', async () => {
    const model = await TextToImage.load(exported);
    await expect(model.generate({ caption: ' ', seed: 0, count: 1 })).rejects.toThrow(
      'caption must not be empty',
    );
    await expect(model.generate({ caption: CAPTION, seed: 2 ** 32, count: 1 })).rejects.toThrow(
      'seed must be an integer from 0 to 4294967295, got 4294967296',
    );
    await expect(model.generate({ caption: CAPTION, seed: 1, count: 17 })).rejects.toThrow(
      'count must be an integer from 1 to 16, got 17',
    );
    model.dispose();
  });

  it('names the manifest config when it does not describe a generator', async () => {
    const broken: WebModelBytes = {
      ...exported,
      manifest: { ...exported.manifest, config: { ...exported.manifest.config, architecture: 'vqgan' } },
    };
    const before = tf.memory().numTensors;
    await expect(TextToImage.load(broken)).rejects.toThrow(
      'generator.safetensors (manifest config): invalid RATLIP config',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Random last layers for every G-block affine, so that what the affines read changes the images. */
function conditionAffines(model: RatlipGan): void {
  tf.tidy(() => {
    for (const block of model.netG.blocks) {
      for (const affine of [
        block.fuse1.affine0,
        block.fuse1.affine1,
        block.fuse2.affine0,
        block.fuse2.affine1,
      ]) {
        if (affine.kind !== 'conditional') continue;
        for (const { linear2 } of [affine.gamma, affine.beta]) {
          (linear2.weight as tf.Variable).assign(tf.randomNormal(linear2.weight.shape, 0, 0.3, 'float32', 4));
        }
      }
    }
  });
}

describe.each([
  {
    reads: 'word by word',
    overrides: { generator: { wordAttention: { blocks: [0, 1] } } },
    caption: CAPTION,
    // A non-zero value projection, so that the words change the images.
    train: (model: RatlipGan) =>
      tf.tidy(() => {
        for (const { value } of model.netG.wordAttention) {
          (value.weight as tf.Variable).assign(tf.randomNormal(value.weight.shape, 0, 0.5, 'float32', 2));
        }
      }),
  },
  {
    reads: 'phrase by phrase',
    overrides: { generator: { phraseAttention: { blocks: [0, 1] } } },
    caption: `${CAPTION} and a red star at the top`,
    train: conditionAffines,
  },
])('TextToImage with a generator that reads the caption $reads', ({ overrides, caption, train }) => {
  it('encodes the caption as RatlipGan.generate does', async () => {
    const config = resolveConfig('ratlip-tiny', overrides);
    const gan = RatlipGan.create(config, {
      vision: clip.vision,
      seed: 13,
      withDiscriminator: false,
      sentenceEncoder: clipSentenceEncoder(clip.text, await ClipTokenizer.load()),
    });
    train(gan);
    const folder = await exportWebModel({
      model: gan,
      textTower: clip.text,
      name: 'reader',
      sampleCaptions: [caption],
    });
    const model = await TextToImage.load({
      manifest: folder.manifest,
      weights: {
        generator: folder.files.get(folder.manifest.files.generator.path)!,
        textEncoder: folder.files.get(folder.manifest.files.textEncoder.path)!,
      },
      label: 'memory',
    });
    const before = tf.memory().numTensors;
    const result = await model.generate({ caption, seed: 3, count: 2 });
    const other = await model.generate({
      caption: 'a white cross at the bottom and a blue disc',
      seed: 3,
      count: 2,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(
      largestDifference(result.values, gan, { texts: [caption], seed: 3, count: 2 }),
    ).toBeLessThanOrEqual(1e-6);
    expect(Array.from(other.values)).not.toEqual(Array.from(result.values));
    model.dispose();
    gan.dispose();
  });
});
