import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';

test('importing @ratlip/runtime registers no kernel, gradient or backend', async () => {
  const gradientsBefore = ['Conv2DBackpropFilter', 'Sigmoid'].map((name) => tf.getGradient(name));
  const runtime = await import('../index');
  expect(typeof runtime.useBackend).toBe('function');
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  expect(tf.findBackendFactory('wasm')).toBeNull();
  expect(['Conv2DBackpropFilter', 'Sigmoid'].map((name) => tf.getGradient(name))).toEqual(gradientsBefore);
});
