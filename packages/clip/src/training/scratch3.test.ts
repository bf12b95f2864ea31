import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';

it('ops', async () => {
  await useBackend((process.env['BACKEND'] ?? 'wasm') as 'wasm');
  const big = tf.randomNormal([49408, 32]);
  const smalls = Array.from({ length: 50 }, () => tf.randomNormal([32, 96]));
  const time = (label: string, f: () => tf.Tensor | tf.Tensor[]) => {
    tf.tidy(() => {
      f();
    });
    const reps = 10;
    const t = performance.now();
    for (let k = 0; k < reps; k++)
      tf.tidy(() => {
        const r = f();
        (Array.isArray(r) ? r[0]! : r).dataSync();
      });
    console.log(label.padEnd(30), ((performance.now() - t) / reps).toFixed(3), 'ms');
  };
  time('reshape big', () => big.reshape([-1]));
  time('concat big+smalls', () => tf.concat([big, ...smalls].map((t) => t.reshape([-1]))));
  const flat = tf.concat([big, ...smalls].map((t) => t.reshape([-1])));
  time('split', () => tf.split(flat, [big.size, ...smalls.map((s) => s.size)]));
  time('mul scalar', () => flat.mul(0.9));
  time('mul tensor scalar', () => flat.mul(tf.scalar(0.9)));
  time('square', () => flat.square());
  time('sqrt', () => flat.abs().sqrt());
  time('div', () => flat.div(flat));
  time('add', () => flat.add(flat));
  const smallFlat = tf.concat(smalls.map((t) => t.reshape([-1])));
  time('split smalls', () =>
    tf.split(
      smallFlat,
      smalls.map((s) => s.size),
    ),
  );
  time('slices smalls', () => smalls.map((s, i) => smallFlat.slice([i * s.size], [s.size])));
  time('split smalls 2d', () => tf.split(smallFlat.reshape([50, -1]), 50));
  time('gather rows', () => smalls.map((s, i) => tf.gather(smallFlat.reshape([50, -1]), [i])));
  time('slice big', () => flat.slice([0], [big.size]));
});
