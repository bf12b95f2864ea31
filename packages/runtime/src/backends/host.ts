import * as tf from '@tensorflow/tfjs';

/** Whether this is Node.js (tfjs's own test), where native and wasm backends are tried. */
export function isNode(): boolean {
  return tf.env().getBool('IS_NODE');
}

/** Logical CPU cores, or 1 when the host does not say. */
export function logicalCores(): number {
  const fromNavigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  if (typeof fromNavigator === 'number' && fromNavigator > 0) return fromNavigator;
  if (isNode()) {
    const os = process.getBuiltinModule?.('node:os');
    if (os !== undefined) return os.availableParallelism();
  }
  return 1;
}

/** A process environment variable, or undefined outside Node. */
export function environmentVariable(name: string): string | undefined {
  return isNode() ? process.env[name] : undefined;
}
