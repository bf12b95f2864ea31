import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import {
  SHAPES_COLOUR_NAMES,
  SHAPES_KINDS,
  SHAPES_POSITION_NAMES,
  SHAPES_SIZE_NAMES,
  SHAPES_SYNONYMS,
  ShapesDataset,
} from '../../../datasets/src/index';
import type { ClipConfig } from '../model/clip-config';
import { CLIP_MEAN, CLIP_STD } from '../preprocessing/clip-normalization';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer';
import { ClipTrainer } from './clip-trainer';
import { patchWasmBatchMatMul } from './scratch-fix.test-support';
import { zeroShotTasks } from './zero-shot';

function normalise(images: { data: Uint8Array }[], size: number): tf.Tensor4D {
  const out = new Float32Array(images.length * size * size * 3);
  images.forEach((image, n) => {
    for (let i = 0; i < size * size * 3; i++) {
      const c = i % 3;
      out[n * size * size * 3 + i] = (image.data[i]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
    }
  });
  return tf.tensor4d(out, [images.length, size, size, 3]);
}

it('shapes', async () => {
  await useBackend('wasm');
  if (process.env['FIX']) patchWasmBatchMatMul();
  const config: ClipConfig = JSON.parse(process.env['CONFIG']!);
  const size = config.vision.imageSize;
  const batch = Number(process.env['BATCH'] ?? 64);
  const minutes = Number(process.env['MINUTES'] ?? 3);
  const totalSteps = Number(process.env['STEPS'] ?? 300);
  const tokenizer = await ClipTokenizer.load();
  const train = new ShapesDataset({ split: 'train', size: 100000 });
  const random = new SeededRandom(0);
  const trainer = ClipTrainer.fromConfig(config, {
    seed: 0,
    schedule: {
      peak: Number(process.env['LR'] ?? 1e-3),
      warmupSteps: Number(process.env['WARMUP'] ?? 20),
      totalSteps,
    },
    optimizer: { weightDecay: 0.1 },
    maxGradientNorm: 1,
  });
  const started = performance.now();
  let step = 0;
  let dataMs = 0;
  while ((performance.now() - started) / 60000 < minutes && step < totalSteps) {
    const t0 = performance.now();
    const indices = Array.from({ length: batch }, () => random.int(train.size));
    const images = normalise(
      indices.map((i) => train.render(i, size)),
      size,
    );
    const captions = indices.map((i) => {
      const c = train.captions(i);
      return c[random.int(c.length)]!;
    });
    const tokens = tokenizer.tokenize(captions, { truncate: true });
    const ids = tf.tensor2d(tokens.ids, [batch, 77], 'int32');
    dataMs += performance.now() - t0;
    const r = trainer.step(images, ids);
    tf.dispose([images, ids]);
    if (step % 10 === 0)
      console.log(
        step,
        ((performance.now() - started) / 1000).toFixed(0),
        's',
        r.loss.toFixed(3),
        r.accuracy.toFixed(2),
        r.logitScale.toFixed(1),
        r.gradientNorm.toFixed(2),
      );
    step++;
  }
  const trainSeconds = (performance.now() - started) / 1000;
  // Zero-shot on single-object test images, candidates = every single-object canonical caption.
  const test = new ShapesDataset({ split: 'test', size: 1000, maxObjects: 1 });
  const n = Number(process.env['EVAL'] ?? 300);
  const evalIdx = Array.from({ length: n }, (_, i) => i);
  const scenes = evalIdx.map((i) => test.scene(i).objects[0]!);
  const images = normalise(
    evalIdx.map((i) => test.render(i, size)),
    size,
  );
  const combos: { shape: number; colour: number; size: number; position: number }[] = [];
  const texts: string[] = [];
  SHAPES_KINDS.forEach((shape, s) =>
    SHAPES_COLOUR_NAMES.forEach((colour, c) =>
      SHAPES_SIZE_NAMES.forEach((sz, z) =>
        SHAPES_POSITION_NAMES.forEach((pos, p) => {
          combos.push({ shape: s, colour: c, size: z, position: p });
          const art = /^[aeiou]/.test(sz) ? 'an' : 'a';
          texts.push(`${art} ${sz} ${colour} ${shape} ${SHAPES_SYNONYMS.position[pos][0]}`);
        }),
      ),
    ),
  );
  const candidates = tokenizer.tokenize(texts);
  const task = (
    name: 'shape' | 'colour' | 'size' | 'position',
    index: (o: (typeof scenes)[number]) => number,
  ) => ({
    candidates,
    labels: scenes.map(index),
    candidateClasses: combos.map((c) => c[name]),
  });
  const res = zeroShotTasks(trainer.model, images, {
    colour: task('colour', (o) => SHAPES_COLOUR_NAMES.indexOf(o.colour)),
    shape: task('shape', (o) => SHAPES_KINDS.indexOf(o.shape)),
    size: task('size', (o) => SHAPES_SIZE_NAMES.indexOf(o.size)),
    position: task('position', (o) => SHAPES_POSITION_NAMES.indexOf(o.position)),
  });
  console.log(
    `RESULT ${process.env['NAME']} batch ${batch}: ${step} steps in ${trainSeconds.toFixed(0)} s (data ${(dataMs / 1000).toFixed(0)} s): ` +
      Object.entries(res)
        .map(([k, v]) => `${k} ${v.accuracy.toFixed(2)}/${v.chance.toFixed(2)}`)
        .join(', '),
  );
  images.dispose();
  trainer.dispose();
}, 3_600_000);
