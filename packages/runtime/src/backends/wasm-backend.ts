import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../kernels/register-wasm-training-kernels';
import { BackendUnavailableError, describeError } from './backend-error';
import type { ActivatedBackend, BackendProvider, UseBackendOptions } from './backend-types';

const packageName = '@tensorflow/tfjs-backend-wasm';

/**
 * @tensorflow/tfjs-backend-wasm (XNNPACK), with the training kernels it lacks registered. In Node the
 * package's entry is its CommonJS build, which finds its .wasm files beside itself in the installed
 * package, also when @ratlip/runtime itself is bundled with the wasm package left external.
 */
export const wasmBackend: BackendProvider = {
  name: 'wasm',
  packageName,
  environment: 'any',
  async activate(options: UseBackendOptions): Promise<ActivatedBackend> {
    let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
    try {
      wasm = await import('@tensorflow/tfjs-backend-wasm');
    } catch (error) {
      throw new BackendUnavailableError(
        'wasm',
        packageName,
        `${packageName} failed to load (${describeError(error)}); install it with \`npm install ${packageName}\``,
      );
    }
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
    if (options.wasmThreads !== undefined) wasm.setThreadsCount(options.wasmThreads);
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) {
      throw new BackendUnavailableError(
        'wasm',
        packageName,
        `the wasm backend failed to initialise (see the warning above); when bundled, serve the .wasm ` +
          `files of ${packageName} and pass their location as the wasmPaths option`,
      );
    }
    return {
      packageName,
      packageVersion: wasm.version_wasm,
      threads: wasm.getThreadsCount(),
      device: 'cpu',
      simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    };
  },
};
