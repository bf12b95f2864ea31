import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './backend-error';
import type { ActivatedBackend, BackendProvider } from './backend-types';

const packageName = '@tensorflow/tfjs-backend-webgl';

/** WebGL, which @tensorflow/tfjs already bundles and registers; browser only. */
export const webglBackend: BackendProvider = {
  name: 'webgl',
  packageName,
  environment: 'browser',
  async activate(): Promise<ActivatedBackend> {
    if (!(await tf.setBackend('webgl'))) {
      throw new BackendUnavailableError('webgl', packageName, 'WebGL is not available in this environment');
    }
    return { packageName, packageVersion: tf.version_core, threads: 1, device: 'gpu' };
  },
};
