import * as tf from '@tensorflow/tfjs';

/**
 * Every tensor of a parameter record (nested objects and arrays of tensors; `config` fields skipped, as
 * in `@ratlip/rat-blocks`) by its path, e.g. `adapter.blocks.0.conv1.kernel`. Paths are stable for a
 * given config, so optimizer and EMA state can be stored and matched by them.
 */
export function namedTensors(tree: object, prefix = ''): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const visit = (node: unknown, path: string) => {
    if (node instanceof tf.Tensor) {
      out.set(path, node);
      return;
    }
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, `${path}${index}.`);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'config') visit(value, `${path}${key}.`);
      }
    }
  };
  visit(tree, prefix);
  return new Map([...out].map(([path, tensor]) => [path.slice(0, -1), tensor]));
}

/** The trainable `tf.Variable`s of a parameter record by path (see {@link namedTensors}). */
export function namedTrainableVariables(tree: object, prefix = ''): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [path, tensor] of namedTensors(tree, prefix)) {
    if (tensor instanceof tf.Variable && tensor.trainable) out.set(path, tensor);
  }
  return out;
}
