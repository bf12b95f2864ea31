import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, describeError } from './backend-error';
import type { ActivatedBackend, BackendProvider } from './backend-types';

const packageName = '@tensorflow/tfjs-backend-webgpu';

/**
 * WebGPU from @tensorflow/tfjs-backend-webgpu (an optional peer dependency that the browser entry
 * needs installed); browser only. Imported on first use, so bundlers put it in a separate chunk.
 */
export const webgpuBackend: BackendProvider = {
  name: 'webgpu',
  packageName,
  environment: 'browser',
  async activate(): Promise<ActivatedBackend> {
    try {
      // Importing registers the 'webgpu' backend and its kernels.
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (error) {
      throw new BackendUnavailableError(
        'webgpu',
        packageName,
        `${packageName} failed to load (${describeError(error)}); install it with \`npm install ${packageName}\``,
      );
    }
    if (!(await tf.setBackend('webgpu'))) {
      throw new BackendUnavailableError('webgpu', packageName, 'WebGPU is not available in this environment');
    }
    return { packageName, packageVersion: tf.version_core, threads: 1, device: 'gpu' };
  },
};
