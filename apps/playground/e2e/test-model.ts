import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ClipModel,
  ClipTokenizer,
  clipTextWeightsToSafetensors,
  clipVisionWeightsToSafetensors,
  initializeClipParameters,
  loadClipTextWeights,
  loadClipVisionWeights,
} from '@ratlip/clip';
import {
  clipSentenceEncoder,
  NET_G_CLIP_PREFIX,
  RatlipGan,
  parseRatlipConfig,
  resolveConfig,
} from '@ratlip/ratlip-gan';
import { readSafetensors, safetensorsToTensors, tensorsToSafetensors, useBackend, writeSafetensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ModelIndex } from '../src/model/model-index';
import { parseWebModelManifestText, WEB_MODEL_MANIFEST_FILE, type WebModelManifest } from '../src/model/web-model-manifest';
import { buildWebModel } from '../src/model/web-model-writer';

/** Id of the test model in the served `models/index.json`. */
export const E2E_MODEL_ID = 'e2e-tiny';

/** Preset and seed of the test model: random weights, so the test needs no training and no download. */
const PRESET = 'ratlip-tiny';
const WEIGHTS_SEED = 20_240_517;

/** The model the e2e test serves, and the Node side of the parity check. */
export interface TestModel {
  manifest: WebModelManifest;
  /** Side of the generated images in pixels. */
  width: number;
  height: number;
  /**
   * Images for a caption as `ratlip sample` makes them in Node: the GAN package loads the exported
   * files itself and samples with `RatlipGan.generate({ texts, seed, count })` on the cpu backend.
   * @returns `[count, height, width, 3]` values in [-1, 1].
   */
  referenceImages(caption: string, seed: number, count: number): Promise<Float32Array>;
}

/**
 * Exports a randomly initialised `ratlip-tiny` (generator and CLIP from fixed seeds) to the web-model
 * format under `modelsFolder/e2e-tiny/`, with a `models/index.json` listing it.
 */
export async function exportTestModel(modelsFolder: string): Promise<TestModel> {
  await useBackend('cpu');
  const config = resolveConfig(PRESET);
  const clip = new ClipModel(
    { vision: config.clip.vision, text: config.clip.text },
    initializeClipParameters({ vision: config.clip.vision, text: config.clip.text }, { seed: WEIGHTS_SEED }),
  );
  const gan = RatlipGan.create(config, { vision: clip.vision, seed: WEIGHTS_SEED, withDiscriminator: false });
  const { netG } = gan.exportStateDicts();
  const vision = clipVisionWeightsToSafetensors(clip.vision, { prefix: NET_G_CLIP_PREFIX });
  const generatorBytes = writeSafetensors({ ...vision.tensors, ...(await tensorsToSafetensors(netG)) }, vision.metadata);
  const text = clipTextWeightsToSafetensors(clip.text);
  const textEncoderBytes = writeSafetensors(text.tensors, text.metadata);
  tf.dispose(Object.values(netG));
  gan.dispose();
  clip.dispose();

  const folder = await buildWebModel({
    name: 'E2E tiny (random weights)',
    description: `A randomly initialised ${PRESET} for the end-to-end test.`,
    preset: PRESET,
    config: config as unknown as Record<string, unknown>,
    weights: { generator: generatorBytes, textEncoder: textEncoderBytes },
    contextLength: config.clip.text.contextLength,
    sampleCaptions: ['a red circle on the left', 'a small blue square at the top'],
    provenance: { tool: 'playground e2e', step: 0, createdAt: new Date().toISOString() },
  });
  const modelFolder = join(modelsFolder, E2E_MODEL_ID);
  await mkdir(modelFolder, { recursive: true });
  for (const [path, bytes] of folder.files) await writeFile(join(modelFolder, path), bytes);
  const index: ModelIndex = {
    formatVersion: 1,
    models: [{ id: E2E_MODEL_ID, name: folder.manifest.name, manifest: `${E2E_MODEL_ID}/${WEB_MODEL_MANIFEST_FILE}` }],
  };
  await writeFile(join(modelsFolder, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);

  const size = config.generator.outputSize;
  return {
    manifest: folder.manifest,
    width: size,
    height: size,
    referenceImages: (caption, seed, count) => sampleInNode(modelFolder, caption, seed, count),
  };
}

async function sampleInNode(modelFolder: string, caption: string, seed: number, count: number): Promise<Float32Array> {
  await useBackend('cpu');
  const manifest = parseWebModelManifestText(await readFile(join(modelFolder, WEB_MODEL_MANIFEST_FILE), 'utf8'));
  const config = parseRatlipConfig(manifest.config);
  const generatorFile = readSafetensors(await readFile(join(modelFolder, manifest.files.generator.path)));
  const textFile = readSafetensors(await readFile(join(modelFolder, manifest.files.textEncoder.path)));
  const { model: vision } = loadClipVisionWeights(generatorFile, { prefix: NET_G_CLIP_PREFIX, config: config.clip.vision });
  const { model: textTower } = loadClipTextWeights(textFile, { config: config.clip.text });
  const netG = safetensorsToTensors(
    generatorFile,
    generatorFile.names().filter((name) => !name.startsWith(NET_G_CLIP_PREFIX)),
  );
  const gan = RatlipGan.fromStateDicts(
    config,
    { netG },
    { vision, ownsVision: true, sentenceEncoder: clipSentenceEncoder(textTower, await ClipTokenizer.load()) },
  );
  tf.dispose(Object.values(netG));
  const images = gan.generate({ texts: [caption], seed, count });
  const values = (await images.data()) as Float32Array;
  images.dispose();
  gan.dispose();
  textTower.dispose();
  return values;
}
