import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../run-cli.test-support';
import { openTensorBoardLog } from './tensorboard-log';

const run = temporaryFolder('ratlip-tensorboard-');

/** A stand-in for `@tensorflow/tfjs-node` that records what its summary writer is given. */
function fakeTfjsNode() {
  const scalars: Array<[string, number, number]> = [];
  const folders: string[] = [];
  let flushes = 0;
  const module = {
    node: {
      summaryFileWriter: (logdir: string) => {
        folders.push(logdir);
        return {
          scalar: (name: string, value: number, step: number) => scalars.push([name, value, step]),
          flush: () => {
            flushes++;
          },
        };
      },
    },
  };
  return { module, scalars, folders, flushes: () => flushes };
}

describe('openTensorBoardLog', () => {
  it('writes nothing and throws nothing when the backend is not tfjs-node or the package is absent', async () => {
    const fake = fakeTfjsNode();
    const wasm = await openTensorBoardLog(run, {
      activeBackend: 'wasm',
      packageName: '@tensorflow/tfjs-backend-wasm',
      importPackage: async () => fake.module,
    });
    expect(wasm).toBeUndefined();
    const absent = await openTensorBoardLog(run, {
      activeBackend: 'tensorflow',
      packageName: '@tensorflow/tfjs-node-not-installed',
    });
    expect(absent).toBeUndefined();
    const notTfjsNode = await openTensorBoardLog(run, {
      activeBackend: 'tensorflow',
      packageName: '@tensorflow/tfjs-node',
      importPackage: async () => ({ version: '4.22.0' }),
    });
    expect(notTfjsNode).toBeUndefined();
    expect(fake.folders).toEqual([]);
    expect(existsSync(join(run, 'tensorboard'))).toBe(false);
  });

  it('writes finite scalars through tf.node.summaryFileWriter into <run>/tensorboard on the tensorflow backend', async () => {
    const fake = fakeTfjsNode();
    const log = await openTensorBoardLog(run, {
      activeBackend: 'tensorflow',
      packageName: '@tensorflow/tfjs-node',
      importPackage: async () => ({ default: fake.module }),
    });
    expect(log?.folder).toBe(join(run, 'tensorboard'));
    log!.write(3, { 'loss/d': 1.5, 'loss/g': Number.NaN, 'gradientNorm/generator': 0.25 });
    log!.flush();
    expect(fake.folders).toEqual([join(run, 'tensorboard')]);
    expect(fake.scalars).toEqual([
      ['loss/d', 1.5, 3],
      ['gradientNorm/generator', 0.25, 3],
    ]);
    expect(fake.flushes()).toBe(1);
  });
});
