import * as tf from '@tensorflow/tfjs';
import { registerCpuGradientKernelFixes } from '../kernels/register-cpu-gradient-kernel-fixes';
import { registerHigherOrderGradients } from '../kernels/register-higher-order-gradients';
import { describeError } from './backend-error';
import { getBackendProvider } from './backend-registry';
import type {
  ActivatedBackend,
  BackendFailure,
  BackendInfo,
  BackendName,
  ConcreteBackendName,
  NativeBackendChoice,
  UseBackendOptions,
} from './backend-types';
import { environmentVariable, isNode } from './host';

const backendNames: readonly BackendName[] = [
  'auto',
  'tensorflow',
  'tensorflow-gpu',
  'wasm',
  'cpu',
  'webgl',
  'webgpu',
];

const nativeChoices: readonly NativeBackendChoice[] = ['tensorflow', 'tensorflow-gpu', 'none'];

function nativeChoice(options: UseBackendOptions): NativeBackendChoice {
  const choice = options.native ?? environmentVariable('RATLIP_NATIVE_BACKEND') ?? 'tensorflow';
  if (!(nativeChoices as readonly string[]).includes(choice)) {
    throw new Error(
      `useBackend: native (or RATLIP_NATIVE_BACKEND) is '${choice}'; expected one of ${nativeChoices.join(', ')}`,
    );
  }
  return choice as NativeBackendChoice;
}

/**
 * The order 'auto' tries: in Node the native backend chosen by `options.native`, then wasm, then cpu;
 * in a browser webgpu, webgl, wasm, then cpu as the last resort.
 */
export function autoBackendOrder(options: UseBackendOptions = {}): ConcreteBackendName[] {
  if (!isNode()) return ['webgpu', 'webgl', 'wasm', 'cpu'];
  const native = nativeChoice(options);
  return native === 'none' ? ['wasm', 'cpu'] : [native, 'wasm', 'cpu'];
}

async function activate(
  name: ConcreteBackendName,
  options: UseBackendOptions,
  skipped: BackendFailure[],
): Promise<BackendInfo> {
  const previous: string | null = tf.getBackend() ?? null;
  let activated: ActivatedBackend;
  try {
    activated = await getBackendProvider(name).activate(options);
  } catch (error) {
    // tfjs records a backend as current even when it fails to initialise; go back to the last good one.
    if (previous !== null && tf.getBackend() !== previous) await tf.setBackend(previous);
    throw error;
  }
  return {
    name,
    tfjsBackend: tf.getBackend(),
    tfjsVersion: tf.version_core,
    ...activated,
    skipped,
  };
}

/**
 * Switches TensorFlow.js to a backend, loading its package on demand, and reports what it chose.
 * Also registers what training needs: the wasm training kernels for 'wasm' and, whatever the
 * backend, second-order gradients ({@link registerHigherOrderGradients}) and corrected cpu resize
 * gradient kernels ({@link registerCpuGradientKernelFixes}).
 *
 * - 'tensorflow' / 'tensorflow-gpu': @tensorflow/tfjs-node / @tensorflow/tfjs-node-gpu (optional
 *   peers, Node only; one of the two per process).
 * - 'wasm': @tensorflow/tfjs-backend-wasm with the training kernels.
 * - 'cpu': plain JavaScript, always available.
 * - 'webgl' / 'webgpu': browser only, after registerBrowserBackends() from '@ratlip/runtime/browser'.
 * - 'auto': the first that works of {@link autoBackendOrder}; `skipped` says why the others were not used.
 *
 * @param name the backend; default 'auto'.
 * @throws BackendUnavailableError naming the npm package to install when the backend cannot be used.
 */
export async function useBackend(
  name: BackendName = 'auto',
  options: UseBackendOptions = {},
): Promise<BackendInfo> {
  if (!backendNames.includes(name)) {
    throw new Error(
      `useBackend: unknown backend '${String(name)}'; expected one of ${backendNames.join(', ')}`,
    );
  }
  registerHigherOrderGradients();
  registerCpuGradientKernelFixes();
  if (name !== 'auto') return activate(name, options, []);
  const skipped: BackendFailure[] = [];
  for (const candidate of autoBackendOrder(options)) {
    try {
      return await activate(candidate, options, skipped);
    } catch (error) {
      skipped.push({ name: candidate, reason: describeError(error) });
    }
  }
  throw new Error(
    `useBackend('auto'): no backend could be used: ${skipped.map((failure) => `${failure.name}: ${failure.reason}`).join('; ')}`,
  );
}
