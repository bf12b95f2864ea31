import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ClipConfig,
  ClipModel,
  ClipTokenizer,
  clipWeightsToSafetensors,
  initializeClipParameters,
  loadClipWeights,
} from '@ratlip/clip';
import {
  clipSentenceEncoder,
  exportWebModel,
  loadCheckpoint,
  type ModelIndex,
  RatlipGan,
  resolveConfig,
  saveCheckpoint,
  WEB_MODEL_MANIFEST_FILE,
  type WebModelManifest,
} from '@ratlip/ratlip-gan';
import { readSafetensors, useBackend, writeSafetensors } from '@ratlip/runtime';

/** Id of the test model in the served `models/index.json`. */
export const E2E_MODEL_ID = 'e2e-tiny';

/** Preset and seed of the test model: random weights, so the test needs no training and no download. */
const PRESET = 'ratlip-tiny';
const WEIGHTS_SEED = 20_240_517;

/** The model the e2e test serves, and the Node side of the parity check. */
export interface TestModel {
  manifest: WebModelManifest;
  /** The exported folder (manifest and weight files). */
  folder: string;
  /** Size of the generated images in pixels. */
  width: number;
  height: number;
  /**
   * Images for a caption as `ratlip sample` makes them in Node: the checkpoint loaded by the GAN
   * package with the run's CLIP, sampled with `RatlipGan.generate({ texts, seed, count })` on the cpu
   * backend.
   * @returns `[count, height, width, 3]` values in [-1, 1].
   */
  referenceImages(caption: string, seed: number, count: number): Promise<Float32Array>;
}

async function readClip(path: string): Promise<ClipModel> {
  return loadClipWeights(readSafetensors(await readFile(path), { source: path })).model;
}

/**
 * A run of a randomly initialised `ratlip-tiny` (generator and CLIP from fixed seeds): its CLIP in
 * `run/clip.safetensors` and a checkpoint written by `saveCheckpoint`, exported with `exportWebModel`
 * (as `ratlip export --web` does) to `models/e2e-tiny/`, with a `models/index.json` listing it.
 *
 * @param scratch an empty folder for the run and the models.
 */
export async function exportTestModel(scratch: string): Promise<TestModel> {
  await useBackend('cpu');
  const config = resolveConfig(PRESET);
  const clipConfig: ClipConfig = { vision: config.clip.vision, text: config.clip.text };
  const clipPath = join(scratch, 'run', 'clip.safetensors');
  const checkpoint = join(scratch, 'run', 'checkpoints', 'step-000000');
  await mkdir(join(scratch, 'run', 'checkpoints'), { recursive: true });
  const initialClip = new ClipModel(clipConfig, initializeClipParameters(clipConfig, { seed: WEIGHTS_SEED }));
  const clipFile = clipWeightsToSafetensors(initialClip);
  await writeFile(clipPath, writeSafetensors(clipFile.tensors, clipFile.metadata));
  const initial = RatlipGan.create(config, { vision: initialClip.vision, seed: WEIGHTS_SEED });
  await saveCheckpoint(checkpoint, initial, { step: 0 });
  initial.dispose();
  initialClip.dispose();

  const clip = await readClip(clipPath);
  const { model } = await loadCheckpoint(checkpoint, { vision: clip.vision });
  const folder = await exportWebModel({
    model,
    textTower: clip.text,
    name: 'E2E tiny (random weights)',
    description: `A randomly initialised ${PRESET} for the end-to-end test.`,
    sampleCaptions: ['a red circle on the left', 'a small blue square at the top'],
    provenance: { tool: 'playground e2e', run: 'run', step: 0, createdAt: new Date().toISOString() },
  });
  model.dispose();
  clip.dispose();

  const modelsFolder = join(scratch, 'models');
  await mkdir(join(modelsFolder, E2E_MODEL_ID), { recursive: true });
  for (const [path, bytes] of folder.files) await writeFile(join(modelsFolder, E2E_MODEL_ID, path), bytes);
  const index: ModelIndex = {
    formatVersion: 1,
    models: [
      {
        id: E2E_MODEL_ID,
        name: folder.manifest.name,
        manifest: `${E2E_MODEL_ID}/${WEB_MODEL_MANIFEST_FILE}`,
      },
    ],
  };
  await writeFile(join(modelsFolder, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);

  const size = config.generator.outputSize;
  return {
    manifest: folder.manifest,
    folder: join(modelsFolder, E2E_MODEL_ID),
    width: size,
    height: size,
    referenceImages: async (caption, seed, count) => {
      await useBackend('cpu');
      const runClip = await readClip(clipPath);
      const sentenceEncoder = clipSentenceEncoder(runClip.text, await ClipTokenizer.load());
      const loaded = await loadCheckpoint(checkpoint, { vision: runClip.vision, sentenceEncoder });
      try {
        const images = loaded.model.generate({ texts: [caption], seed, count });
        const values = (await images.data()) as Float32Array;
        images.dispose();
        return values;
      } finally {
        loaded.model.dispose();
        runClip.dispose();
      }
    },
  };
}
