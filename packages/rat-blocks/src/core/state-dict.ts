import * as tf from '@tensorflow/tfjs';

/**
 * Tensors by official PyTorch `state_dict()` key, in PyTorch layout (Conv2d `[out, in, kh, kw]`,
 * Linear `[out, in]`, LSTM `weight_ih_l0 [4H, in]`). Loaders copy what they need and never dispose
 * the entries; exporters return new tensors that the caller owns.
 */
export type StateDict = Readonly<Record<string, tf.Tensor>>;

/** A writable state dict, as returned by the `export*ToStateDict` functions. */
export type MutableStateDict = Record<string, tf.Tensor>;

/**
 * The tensor stored under `key`, checked against `expectedShape` (use -1 for "any size").
 * Throws an Error naming the key and the expected shape when the entry is missing or mis-shaped.
 */
export function stateDictTensor(dict: StateDict, key: string, expectedShape?: readonly number[]): tf.Tensor {
  const tensor = dict[key];
  if (!tensor) throw new Error(`state dict: missing key '${key}'`);
  if (expectedShape) {
    const ok =
      tensor.shape.length === expectedShape.length &&
      expectedShape.every((size, axis) => size === -1 || tensor.shape[axis] === size);
    if (!ok) {
      throw new Error(
        `state dict: '${key}' has shape [${tensor.shape.join(', ')}], expected [${expectedShape.join(', ')}] (-1 = any)`,
      );
    }
  }
  return tensor;
}

/** True when `key` is present. */
export function stateDictHas(dict: StateDict, key: string): boolean {
  return dict[key] !== undefined;
}

/** A trainable float32 variable holding a copy of `tensor` (optionally transposed). */
export function variableFrom(tensor: tf.Tensor, permutation?: number[], trainable = true): tf.Variable {
  return tf.tidy(() => {
    const value = permutation ? tf.transpose(tensor, permutation) : tensor;
    return tf.variable(tf.cast(value, 'float32'), trainable);
  });
}

/** Merges several exported state dicts, throwing on a duplicate key. */
export function mergeStateDicts(...dicts: MutableStateDict[]): MutableStateDict {
  const out: MutableStateDict = {};
  for (const dict of dicts) {
    for (const [key, tensor] of Object.entries(dict)) {
      if (out[key]) throw new Error(`state dict: duplicate key '${key}'`);
      out[key] = tensor;
    }
  }
  return out;
}
