import { type ClipConfig, ClipModel, initializeClipParameters } from '@ratlip/clip';
import { readSafetensors, safetensorsToTensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeStateDict } from '../checkpoint/state-dict-tensors';
import { parseRatlipConfig, resolveConfig } from '../config/resolve-config';
import { NET_G_CLIP_PREFIX } from '../model/net-g';
import { RatlipGan } from '../model/ratlip-gan';
import { exportWebModel } from './export-web-model';
import { parseWebModelManifestText } from './web-model-manifest';

let clip: ClipModel;
let gan: RatlipGan;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const config = resolveConfig('ratlip-tiny');
  const clipConfig: ClipConfig = { vision: config.clip.vision, text: config.clip.text };
  clip = new ClipModel(clipConfig, initializeClipParameters(clipConfig, { seed: 3 }));
  gan = RatlipGan.create(config, { vision: clip.vision, seed: 4, withDiscriminator: false });
});

afterAll(() => {
  gan.dispose();
  clip.dispose();
});

describe('exportWebModel', () => {
  it('packages a generator that rebuilds to the same images, and the text tower, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const folder = await exportWebModel({
      model: gan,
      textTower: clip.text,
      name: 'Tiny',
      description: 'Random weights.',
      sampleCaptions: ['a red circle'],
      provenance: { tool: 'test', step: 0 },
    });
    expect(tf.memory().numTensors).toBe(before);

    const manifest = parseWebModelManifestText(new TextDecoder().decode(folder.files.get('manifest.json')));
    expect(manifest).toEqual(folder.manifest);
    expect(manifest).toMatchObject({
      name: 'Tiny',
      description: 'Random weights.',
      preset: gan.config.name,
      tokenizer: { kind: 'clip-bpe', contextLength: clip.text.config.contextLength },
      provenance: { tool: 'test', step: 0 },
    });
    expect(parseRatlipConfig(manifest.config, 'manifest config')).toEqual(gan.config);

    const generatorFile = readSafetensors(folder.files.get(manifest.files.generator.path)!, {
      source: 'generator',
    });
    const netGNames = generatorFile.names().filter((name) => !name.startsWith(NET_G_CLIP_PREFIX));
    const exported = gan.exportStateDicts();
    const expectedNames = Object.keys(exported.netGEma ?? exported.netG).sort();
    for (const dict of Object.values(exported)) disposeStateDict(dict);
    expect(netGNames.sort()).toEqual(expectedNames);
    expect(generatorFile.names().some((name) => name.startsWith(NET_G_CLIP_PREFIX))).toBe(true);
    const textFile = readSafetensors(folder.files.get(manifest.files.textEncoder.path)!, { source: 'text' });
    expect(textFile.names().length).toBeGreaterThan(0);

    const tensors = safetensorsToTensors(generatorFile, netGNames);
    const rebuilt = RatlipGan.fromStateDicts(gan.config, { netG: tensors }, { vision: clip.vision });
    tf.dispose(Object.values(tensors));
    const embeddings = tf.randomNormal<tf.Rank.R2>([1, gan.config.clip.text.embedDim], 0, 1, 'float32', 9);
    const expected = gan.generate({ sentenceEmbeddings: embeddings, seed: 5, count: 2 });
    const actual = rebuilt.generate({ sentenceEmbeddings: embeddings, seed: 5, count: 2 });
    const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0]!);
    expect(worst).toBe(0);
    tf.dispose([embeddings, expected, actual]);
    rebuilt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
