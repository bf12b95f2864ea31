import { patchWasmBatchMatMul } from './scratch-fix.test-support';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { clipPreset } from '../model/clip-presets';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer';
import { ClipTrainer } from './clip-trainer';
import { renderSquares, SQUARE_CLASS_COUNT, squareCaptionIds } from './synthetic-squares.test-support';
import type { ClipConfig } from '../model/clip-config';

it('scratch', async () => {
  await useBackend((process.env['BACKEND'] ?? 'wasm') as 'wasm');
  if (process.env['FIX']) patchWasmBatchMatMul();
  const tokenizer = await ClipTokenizer.load();
  const random = new SeededRandom(1);
  const config: ClipConfig = JSON.parse(process.env['CONFIG'] ?? 'null') ?? clipPreset('tiny');
  const steps = Number(process.env['STEPS'] ?? 60);
  const batch = Number(process.env['BATCH'] ?? 16);
  const trainer = ClipTrainer.fromConfig(config, {
    seed: 0,
    schedule: { peak: Number(process.env['LR'] ?? 1e-3), warmupSteps: 5, totalSteps: steps },
    optimizer: { weightDecay: 0.1 },
  });
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const classes = Array.from({ length: batch }, (_, i) => i % SQUARE_CLASS_COUNT);
    random.shuffle(classes);
    const images = renderSquares(classes, config.vision.imageSize, random);
    const ids = squareCaptionIds(classes, tokenizer);
    const t = performance.now();
    const r = trainer.step(images, ids);
    images.dispose(); ids.dispose();
    console.log(s, (performance.now() - t).toFixed(0), 'ms', r.loss.toFixed(3), r.accuracy.toFixed(2), r.logitScale.toFixed(1), r.gradientNorm.toFixed(2), tf.memory().numTensors);
  }
  console.log('total', ((performance.now() - t0) / 1000).toFixed(1), 's');
  trainer.dispose();
});
