import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import type { ClipConfig } from '../model/clip-config';
import { clipPreset } from '../model/clip-presets';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer';
import { ClipTrainer } from './clip-trainer';
import { patchWasmBatchMatMul } from './scratch-fix.test-support';
import {
  renderSquares,
  SQUARE_CLASS_COUNT,
  squareAttributes,
  squareCaptionIds,
} from './synthetic-squares.test-support';
import { zeroShotTasks } from './zero-shot';

it('scratch', async () => {
  await useBackend((process.env['BACKEND'] ?? 'wasm') as 'wasm');
  if (process.env['FIX']) patchWasmBatchMatMul();
  const tokenizer = await ClipTokenizer.load();
  const random = new SeededRandom(Number(process.env['SEED'] ?? 1));
  const config: ClipConfig = JSON.parse(process.env['CONFIG'] ?? 'null') ?? clipPreset('tiny');
  const steps = Number(process.env['STEPS'] ?? 60);
  const batch = Number(process.env['BATCH'] ?? 16);
  const trainer = ClipTrainer.fromConfig(config, {
    seed: Number(process.env['SEED'] ?? 0),
    schedule: { peak: Number(process.env['LR'] ?? 1e-3), warmupSteps: 10, totalSteps: steps },
    optimizer: { weightDecay: 0.1 },
    maxGradientNorm: Number(process.env['CLIP'] ?? 1e9),
  });
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const pool: number[] =
      JSON.parse(process.env['CLASSES'] ?? 'null') ?? Array.from({ length: SQUARE_CLASS_COUNT }, (_, i) => i);
    const classes = Array.from({ length: batch }, (_, i) => pool[i % pool.length]!);
    random.shuffle(classes);
    const images = renderSquares(classes, config.vision.imageSize, random);
    const ids = squareCaptionIds(classes, tokenizer);
    const t = performance.now();
    const r = trainer.step(images, ids);
    images.dispose();
    ids.dispose();
    console.log(
      s,
      (performance.now() - t).toFixed(0),
      'ms',
      r.loss.toFixed(3),
      r.accuracy.toFixed(2),
      r.logitScale.toFixed(1),
      r.gradientNorm.toFixed(2),
      tf.memory().numTensors,
    );
  }
  console.log('total', ((performance.now() - t0) / 1000).toFixed(1), 's');
  const all = Array.from({ length: 48 }, (_, i) => i % 16);
  const evalImages = renderSquares(all, config.vision.imageSize, new SeededRandom(99));
  const candidates = squareCaptionIds(
    Array.from({ length: 16 }, (_, i) => i),
    tokenizer,
  );
  const res = zeroShotTasks(trainer.model, evalImages, {
    full: { candidates, labels: all },
    colour: {
      candidates,
      labels: all.map((c) => squareAttributes(c).colour),
      candidateClasses: Array.from({ length: 16 }, (_, i) => squareAttributes(i).colour),
    },
    position: {
      candidates,
      labels: all.map((c) => squareAttributes(c).position),
      candidateClasses: Array.from({ length: 16 }, (_, i) => squareAttributes(i).position),
    },
  });
  console.log(
    Object.entries(res)
      .map(([k, v]) => `${k}: ${v.accuracy.toFixed(2)} (chance ${v.chance.toFixed(2)})`)
      .join(', '),
  );
  tf.dispose([evalImages, candidates]);
  trainer.dispose();
});
