import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';

it('matmul', async () => {
  await useBackend((process.env['BACKEND'] ?? 'wasm') as 'wasm');
  const cases: [number[], number[], boolean, boolean][] = [
    [[272, 64], [64, 192], false, false],
    [[272, 64], [64, 256], false, false],
    [[272, 256], [256, 64], false, false],
    [[16, 4, 17, 16], [16, 4, 16, 17], false, false],
    [[64, 17, 16], [64, 16, 17], false, false],
    [[1, 17, 16], [1, 16, 17], false, false],
    [[17, 16], [16, 17], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const a = tf.randomNormal(sa); const b = tf.randomNormal(sb);
    for (let i = 0; i < 3; i++) tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb).dataSync();
    const reps = 50; const t = performance.now();
    for (let i = 0; i < reps; i++) { const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb); c.dataSync(); c.dispose(); }
    const ms = (performance.now() - t) / reps;
    console.log(JSON.stringify(sa), JSON.stringify(sb), ms.toFixed(3), 'ms');
  }
  const x = tf.randomNormal([272, 64]);
  const reps = 50; let t = performance.now();
  for (let i = 0; i < reps; i++) { const c = tf.tidy(() => x.add(x).mul(x)); c.dataSync(); c.dispose(); }
  console.log('add+mul', ((performance.now() - t) / reps).toFixed(3), 'ms');
  t = performance.now();
  for (let i = 0; i < reps; i++) { const c = tf.tidy(() => tf.scalar(1)); c.dataSync(); c.dispose(); }
  console.log('scalar', ((performance.now() - t) / reps).toFixed(3), 'ms');
});
