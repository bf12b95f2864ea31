import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from './safetensors';
import {
  safetensorsToTensors,
  tensorsToSafetensors,
  tensorsToSafetensorsSync,
} from './tensors-to-safetensors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tensorsToSafetensors / safetensorsToTensors', () => {
  it('round-trips float32, int32 and bool tensors through a file', async () => {
    const tensors = {
      'dense.kernel': tf.tensor2d([
        [0.1, 0.2],
        [0.3, 0.4],
      ]),
      steps: tf.tensor1d([3, -7], 'int32'),
      mask: tf.tensor1d([true, false, true], 'bool'),
    };
    const before = tf.memory().numTensors;
    const file = readSafetensors(writeSafetensors(await tensorsToSafetensors(tensors), { step: '10' }));
    expect(file.names()).toEqual(['dense.kernel', 'steps', 'mask']);
    expect(file.entry('steps').dtype).toBe('I32');
    expect(file.entry('mask').dtype).toBe('BOOL');
    const loaded = safetensorsToTensors(file);
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(loaded[name]!.dtype).toBe(tensor.dtype);
      expect(loaded[name]!.arraySync()).toEqual(tensor.arraySync());
    }
    tf.dispose(Object.values(loaded));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(tensors));
  });

  it('stores floats as F16 or BF16 on request, rounding to nearest even', () => {
    const weights = { w: tf.tensor1d([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000]) };
    const f16 = readSafetensors(writeSafetensors(tensorsToSafetensorsSync(weights, { floatDtype: 'F16' })));
    expect(f16.entry('w').dtype).toBe('F16');
    expect([...f16.float32('w')]).toEqual([1, 1 + 2 ** -9, Number.POSITIVE_INFINITY]);
    const bf16 = readSafetensors(writeSafetensors(tensorsToSafetensorsSync(weights, { floatDtype: 'BF16' })));
    expect([...bf16.float32('w')]).toEqual([1, 1, 70144]);
    tf.dispose(weights.w);
  });

  it('loads a subset by name and disposes partial results when a name is missing', () => {
    const file = readSafetensors(writeSafetensors({ a: { dtype: 'F32', shape: [1], data: [1] } }, {}));
    const before = tf.memory().numTensors;
    expect(() => safetensorsToTensors(file, ['a', 'missing'])).toThrow(/no tensor named 'missing'/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses dtypes it cannot store', async () => {
    const complex = tf.complex([1], [2]);
    await expect(tensorsToSafetensors({ c: complex })).rejects.toThrow(/tensor 'c' has dtype complex64/);
    complex.dispose();
  });
});
