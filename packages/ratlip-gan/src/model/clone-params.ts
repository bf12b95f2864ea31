import * as tf from '@tensorflow/tfjs';

/**
 * A deep copy of a parameter record whose tensors are new non-trainable variables with the same values
 * (`config` fields shared). Used for the EMA generator, which is read by sampling and never optimised.
 */
export function cloneParamsFrozen<T extends object>(tree: T): T {
  const copy = (node: unknown, key: string): unknown => {
    if (node instanceof tf.Tensor) return tf.tidy(() => tf.variable(tf.clone(node), false));
    if (key === 'config') return node;
    if (Array.isArray(node)) return node.map((item) => copy(item, ''));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, copy(value, name)]));
    }
    return node;
  };
  return copy(tree, '') as T;
}
