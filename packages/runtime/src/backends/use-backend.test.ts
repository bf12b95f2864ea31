import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { registerBrowserBackends } from '../browser';
import { BackendUnavailableError } from './backend-error';
import { getBackendProvider } from './backend-registry';
import { autoBackendOrder, useBackend } from './use-backend';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('useBackend', () => {
  test("'cpu' reports one thread on the cpu device", async () => {
    const info = await useBackend('cpu');
    expect(info).toMatchObject({
      name: 'cpu',
      tfjsBackend: 'cpu',
      tfjsVersion: tf.version_core,
      packageName: '@tensorflow/tfjs-backend-cpu',
      threads: 1,
      device: 'cpu',
      skipped: [],
    });
    expect(tf.getBackend()).toBe('cpu');
  });

  test("'wasm' loads the installed binaries, is single-threaded in Node and has the training kernels", async () => {
    const info = await useBackend('wasm');
    expect(info).toMatchObject({
      name: 'wasm',
      tfjsBackend: 'wasm',
      packageName: '@tensorflow/tfjs-backend-wasm',
      packageVersion: tf.version_core,
      threads: 1,
      device: 'cpu',
    });
    expect(typeof info.simd).toBe('boolean');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    // A 3x3 box sum over a 4x4 image of ones: 4 corners see 4, 8 edges 6, 4 inner pixels 9.
    const sum = tf.tidy(
      () =>
        tf
          .sum(
            tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same'),
          )
          .dataSync()[0],
    );
    expect(sum).toBe(100);
  });

  test.each([
    ['tensorflow', '@tensorflow/tfjs-node'],
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ] as const)(
    "a missing '%s' fails naming %s and how to install it, and keeps the current backend",
    async (name, packageName) => {
      await useBackend('cpu');
      const failure = useBackend(name);
      await expect(failure).rejects.toBeInstanceOf(BackendUnavailableError);
      await expect(failure).rejects.toThrow(`npm install ${packageName}`);
      await expect(failure).rejects.toMatchObject({ backend: name, packageName });
      expect(tf.getBackend()).toBe('cpu');
    },
  );

  test("'auto' in Node tries the native backend, then lands on wasm and says why it skipped", async () => {
    const info = await useBackend('auto', { native: 'tensorflow' });
    expect(info.name).toBe('wasm');
    expect(info.skipped).toHaveLength(1);
    expect(info.skipped[0]!.name).toBe('tensorflow');
    expect(info.skipped[0]!.reason).toContain('@tensorflow/tfjs-node');
    const withoutNative = await useBackend('auto', { native: 'none' });
    expect(withoutNative).toMatchObject({ name: 'wasm', skipped: [] });
  });

  test('the native backend auto tries comes from RATLIP_NATIVE_BACKEND unless the option says otherwise', () => {
    expect(autoBackendOrder()).toEqual(['tensorflow', 'wasm', 'cpu']);
    vi.stubEnv('RATLIP_NATIVE_BACKEND', 'tensorflow-gpu');
    expect(autoBackendOrder()).toEqual(['tensorflow-gpu', 'wasm', 'cpu']);
    expect(autoBackendOrder({ native: 'none' })).toEqual(['wasm', 'cpu']);
    vi.stubEnv('RATLIP_NATIVE_BACKEND', 'cuda');
    expect(() => autoBackendOrder()).toThrow(/RATLIP_NATIVE_BACKEND.*'cuda'/);
  });

  test('browser backends are opt-in through the browser entry', async () => {
    await expect(useBackend('webgpu')).rejects.toThrow(
      "registerBrowserBackends() from '@ratlip/runtime/browser'",
    );
    registerBrowserBackends();
    registerBrowserBackends();
    expect(getBackendProvider('webgpu').packageName).toBe('@tensorflow/tfjs-backend-webgpu');
    expect(getBackendProvider('webgl').environment).toBe('browser');
  });

  test('an unknown name is refused with the list of names', async () => {
    await expect(useBackend('metal' as 'cpu')).rejects.toThrow(/unknown backend 'metal'.*auto, tensorflow/);
  });
});
