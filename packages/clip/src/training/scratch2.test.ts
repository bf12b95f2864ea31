import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { clipPreset } from '../model/clip-presets';
import { initializeClipParameters } from '../model/initialize-clip-parameters';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer';
import { AdamW } from './adamw';
import { clipContrastiveLoss } from './contrastive-loss';
import { matmulStats, patchWasmBatchMatMul } from './scratch-fix.test-support';
import { renderSquares, squareCaptionIds } from './synthetic-squares.test-support';
import { trainableClip } from './trainable-clip';

it('profile', async () => {
  await useBackend((process.env['BACKEND'] ?? 'wasm') as 'wasm');
  patchWasmBatchMatMul(Boolean(process.env['FIX']));
  const tokenizer = await ClipTokenizer.load();
  const random = new SeededRandom(1);
  const config = clipPreset((process.env['PRESET'] ?? 'tiny') as 'tiny');
  const B = Number(process.env['BATCH'] ?? 16);
  const { model, variables } = trainableClip(config, initializeClipParameters(config));
  const classes = Array.from({ length: B }, (_, i) => i % 16);
  const images = renderSquares(classes, config.vision.imageSize, random);
  const ids = squareCaptionIds(classes, tokenizer).slice([0, 0], [B, 10]) as tf.Tensor2D;
  const time = (label: string, f: () => void, reps = Number(process.env['REPS'] ?? 3)) => {
    f();
    const t = performance.now();
    for (let k = 0; k < reps; k++) f();
    console.log(label, ((performance.now() - t) / reps).toFixed(0), 'ms');
  };
  time('image fwd', () =>
    tf.tidy(() => {
      model.encodeImage(images).dataSync();
    }),
  );
  time('text fwd', () =>
    tf.tidy(() => {
      model.encodeText(ids).dataSync();
    }),
  );
  let grads: tf.NamedTensorMap = {};
  time('full grads', () => {
    tf.dispose(grads);
    grads = tf.variableGrads(() =>
      clipContrastiveLoss(model.logits(model.encodeImage(images), model.encodeText(ids)).logitsPerImage),
    ).grads;
    Object.values(grads)[0]!.dataSync();
  });
  console.log(
    [...matmulStats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 14)
      .map(([k, v]) => `${k} n=${v.n} ${(v.ms / v.n).toFixed(2)}ms`)
      .join('\n'),
  );
  const opt = new AdamW(variables);
  const byKey = new Map([...variables].map(([k, v]) => [k, grads[v.name]!]));
  time('adamw', () => {
    opt.step(byKey, 1e-4);
    variables.get('logit_scale')!.dataSync();
  });
});
