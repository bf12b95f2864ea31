import * as tf from '@tensorflow/tfjs';

/**
 * Installs `config` for its backend, replacing whatever kernel of that name is registered there, and
 * does nothing when it already is the registered one (so registration is idempotent and silent).
 */
export function replaceKernel(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}
