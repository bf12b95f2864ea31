import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, describeError, isMissingPackage } from './backend-error';
import type { ActivatedBackend, BackendProvider } from './backend-types';
import { isNode, logicalCores } from './host';
import { importOptional } from './optional-import';

type NativeName = 'tensorflow' | 'tensorflow-gpu';

const nativePackages: Record<NativeName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

/**
 * The native package this process committed to. Both packages register the same 'tensorflow' backend
 * and load a libtensorflow, so once one has been loaded (or failed while loading) the other is
 * refused. A package that is simply not installed commits nothing.
 */
let committed: { name: NativeName; loading: Promise<unknown> } | undefined;

async function loadNative(name: NativeName): Promise<unknown> {
  const packageName = nativePackages[name];
  if (committed !== undefined) {
    if (committed.name !== name) {
      throw new BackendUnavailableError(
        name,
        packageName,
        `${nativePackages[committed.name]} is already loaded in this process and registers the same ` +
          `'tensorflow' backend; use useBackend('${committed.name}') or start a new process`,
      );
    }
    return committed.loading;
  }
  const loading = importOptional(packageName);
  committed = { name, loading };
  try {
    return await loading;
  } catch (error) {
    if (isMissingPackage(error, packageName)) committed = undefined;
    throw new BackendUnavailableError(
      name,
      packageName,
      isMissingPackage(error, packageName)
        ? `${packageName} is not installed; install it with \`npm install ${packageName}\` (it must match @tensorflow/tfjs ${tf.version_core})`
        : `${packageName} failed to load (${describeError(error)}); reinstall it with \`npm install ${packageName}\``,
    );
  }
}

function nativeProvider(name: NativeName): BackendProvider {
  const packageName = nativePackages[name];
  return {
    name,
    packageName,
    environment: 'node',
    async activate(): Promise<ActivatedBackend> {
      if (!isNode()) {
        throw new BackendUnavailableError(name, packageName, `${packageName} runs only in Node.js`);
      }
      const loaded = (await loadNative(name)) as { version?: unknown; default?: { version?: unknown } };
      const version = loaded.version ?? loaded.default?.version;
      if (tf.findBackendFactory('tensorflow') === null) {
        throw new BackendUnavailableError(
          name,
          packageName,
          `${packageName} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs ` +
            `(${tf.version_core}); install the matching version with \`npm install ${packageName}@${tf.version_core}\``,
        );
      }
      if (!(await tf.setBackend('tensorflow'))) {
        throw new BackendUnavailableError(
          name,
          packageName,
          `${packageName} loaded but the 'tensorflow' backend failed to initialise (see the warning above)`,
        );
      }
      return {
        packageName,
        packageVersion: typeof version === 'string' ? version : 'unknown',
        threads: logicalCores(),
        device: name === 'tensorflow-gpu' ? 'gpu' : 'cpu',
      };
    },
  };
}

/** @tensorflow/tfjs-node: TensorFlow's C library on the CPU. */
export const tensorflowBackend = nativeProvider('tensorflow');

/** @tensorflow/tfjs-node-gpu: TensorFlow's C library with CUDA. */
export const tensorflowGpuBackend = nativeProvider('tensorflow-gpu');
