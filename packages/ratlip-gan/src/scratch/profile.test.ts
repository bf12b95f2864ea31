import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { randomPool, tinySetup } from '../testing/tiny-model.test-support';
import { RatlipTrainer } from '../train/ratlip-trainer';

it('profile', async () => {
  await useBackend('wasm');
  const { config, model } = tinySetup({ training: { batchSize: 8 } });
  const pool = randomPool(config, new SeededRandom(5), 8);
  const trainer = new RatlipTrainer(model);
  for (let i = 0; i < 3; i++) { const t = performance.now(); trainer.step(pool); console.log('step', performance.now() - t); }
  const noise = tf.randomNormal([8, config.generator.noiseDim]) as tf.Tensor2D;
  let t = performance.now();
  for (let i = 0; i < 3; i++) tf.tidy(() => model.generator(noise, pool.sentences).dataSync());
  console.log('G fwd', (performance.now() - t) / 3);
  const profile = await tf.profile(() => { tf.tidy(() => trainer.step(pool)); });
  const byKernel = new Map<string, [number, number]>();
  for (const k of profile.kernels) { const e = byKernel.get(k.name) ?? [0, 0]; byKernel.set(k.name, [e[0] + (k.kernelTimeMs as number), e[1] + 1]); }
  console.log([...byKernel].sort((a, b) => b[1][0] - a[1][0]).slice(0, 20).map(([n, v]) => `${n}: ${v[0].toFixed(1)} ms x${v[1]}`).join('\n'));
  const top = [...profile.kernels].sort((a, b) => (b.kernelTimeMs as number) - (a.kernelTimeMs as number)).slice(0, 25);
  console.log(top.map((k) => `${k.name} ${(k.kernelTimeMs as number).toFixed(1)} in=${JSON.stringify(k.inputShapes)} out=${JSON.stringify(k.outputShapes)}`).join('\n'));
  console.log('kernels', profile.kernels.length, 'total kernel ms', profile.kernels.reduce((a, k) => a + (k.kernelTimeMs as number), 0));
}, 300000);
