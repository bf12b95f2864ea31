import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './backend-error';
import type { ActivatedBackend, BackendProvider, UseBackendOptions } from './backend-types';

/** @tensorflow/tfjs-backend-cpu, bundled in @tensorflow/tfjs: plain JavaScript, always available. */
export const cpuBackend: BackendProvider = {
  name: 'cpu',
  packageName: '@tensorflow/tfjs',
  environment: 'any',
  async activate(options: UseBackendOptions): Promise<ActivatedBackend> {
    if (!(await tf.setBackend('cpu'))) {
      throw new BackendUnavailableError('cpu', '@tensorflow/tfjs', 'the cpu backend failed to initialise');
    }
    if (options.quiet ?? true) {
      // The cpu backend prints its "install the node backend" advice on its first write, guarded by
      // this flag; choosing cpu explicitly makes the advice noise.
      const backend = tf.backend() as { firstUse?: unknown };
      if (typeof backend.firstUse === 'boolean') backend.firstUse = false;
    }
    return {
      packageName: '@tensorflow/tfjs-backend-cpu',
      packageVersion: tf.version_core,
      threads: 1,
      device: 'cpu',
    };
  },
};
