import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import type { ClipConfig } from '../model/clip-config';
import { clipPreset } from '../model/clip-presets';
import { ClipTrainer } from './clip-trainer';
import { matmulStats, patchWasmBatchMatMul } from './scratch-fix.test-support';

const text = (width: number, layers: number) => ({
  contextLength: 77,
  vocabSize: 49408,
  width,
  layers,
  heads: width / 32,
  embedDim: 64,
});
const CONFIGS: Record<string, ClipConfig> = {
  tiny: clipPreset('tiny'),
  small: clipPreset('small'),
  p8w64L6: {
    vision: { imageSize: 64, patchSize: 8, width: 64, layers: 6, heads: 2, embedDim: 64 },
    text: text(64, 2),
  },
  p16w128L6: {
    vision: { imageSize: 64, patchSize: 16, width: 128, layers: 6, heads: 4, embedDim: 64 },
    text: text(64, 2),
  },
  p8w128L6: {
    vision: { imageSize: 64, patchSize: 8, width: 128, layers: 6, heads: 4, embedDim: 64 },
    text: text(64, 2),
  },
  '48p8w96L6': {
    vision: { imageSize: 48, patchSize: 8, width: 96, layers: 6, heads: 3, embedDim: 64 },
    text: text(64, 2),
  },
};

it('bench', async () => {
  await useBackend('wasm');
  if (process.env['FIX']) patchWasmBatchMatMul();
  const random = new SeededRandom(0);
  for (const spec of (process.env['RUNS'] ?? 'tiny:16').split(',')) {
    const [name, batchText] = spec.split(':');
    const config = CONFIGS[name!]!;
    const batch = Number(batchText);
    const trainer = ClipTrainer.fromConfig(config, { schedule: { peak: 1e-4, totalSteps: 100 } });
    const size = config.vision.imageSize;
    const images = tf.tensor4d(random.normalArray(batch * size * size * 3), [batch, size, size, 3]);
    const ids = new Int32Array(batch * 77);
    for (let b = 0; b < batch; b++) {
      ids[b * 77] = 49406;
      for (let t = 1; t < 19; t++) ids[b * 77 + t] = 320 + random.int(2000);
      ids[b * 77 + 19] = 49407;
    }
    const idTensor = tf.tensor2d(ids, [batch, 77], 'int32');
    trainer.step(images, idTensor);
    const times: number[] = [];
    for (let k = 0; k < Number(process.env['REPS'] ?? 2); k++) {
      const t = performance.now();
      trainer.step(images, idTensor);
      times.push(performance.now() - t);
    }
    console.log(`${name} batch ${batch}: ${times.map((t) => t.toFixed(0)).join(', ')} ms/step`);
    tf.dispose([images, idTensor]);
    trainer.dispose();
  }
}, 3_600_000);
