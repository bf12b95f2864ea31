import * as tf from '@tensorflow/tfjs';
import { expect, test, vi } from 'vitest';
import { useBackend } from './use-backend';

// A stand-in for an installed @tensorflow/tfjs-node that registers no backend (as a copy built for
// another @tensorflow/tfjs would), to exercise the one-native-package-per-process rule.
vi.mock('./optional-import', () => ({
  importOptional: async (specifier: string) => {
    if (specifier === '@tensorflow/tfjs-node') return { version: '0.0.0-test' };
    throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
  },
}));

test('an installed native package that registers no backend fails clearly and keeps the other out', async () => {
  await useBackend('cpu');
  await expect(useBackend('tensorflow')).rejects.toThrow(
    `@tensorflow/tfjs-node loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs (${tf.version_core})`,
  );
  await expect(useBackend('tensorflow-gpu')).rejects.toThrow(
    "@tensorflow/tfjs-node is already loaded in this process and registers the same 'tensorflow' backend",
  );
  const info = await useBackend('auto', { native: 'tensorflow-gpu' });
  expect(info.name).toBe('wasm');
  expect(info.skipped[0]!.reason).toContain('already loaded');
});
