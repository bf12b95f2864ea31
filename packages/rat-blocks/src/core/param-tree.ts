import * as tf from '@tensorflow/tfjs';

/**
 * A parameter record: nested plain objects and arrays whose leaves are tensors (usually `tf.Variable`s),
 * plus `config` fields of plain numbers/strings, which the walkers below skip. Any params interface of
 * this package (or an array of them) is one.
 */
export type ParamTree = object;

function walk(node: unknown, visit: (tensor: tf.Tensor) => void): void {
  if (node instanceof tf.Tensor) {
    visit(node);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'config') walk(value, visit);
    }
  }
}

/** Every tensor of a parameter record, depth-first in key order. */
export function paramTensors(params: ParamTree): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  walk(params, (tensor) => out.push(tensor));
  return out;
}

/**
 * The trainable `tf.Variable`s of a parameter record (BatchNorm running statistics are created
 * non-trainable and are left out), ready for `tf.variableGrads(f, trainableVariables(params))` or an
 * optimizer's `minimize(f, false, trainableVariables(params))`.
 */
export function trainableVariables(params: ParamTree): tf.Variable[] {
  const out: tf.Variable[] = [];
  walk(params, (tensor) => {
    if (tensor instanceof tf.Variable && tensor.trainable) out.push(tensor);
  });
  return out;
}

/** Number of scalar values in the trainable variables of a parameter record. */
export function countTrainableParameters(params: ParamTree): number {
  return trainableVariables(params).reduce((sum, variable) => sum + variable.size, 0);
}

/** Disposes every tensor of a parameter record (variables included). */
export function disposeParams(params: ParamTree): void {
  walk(params, (tensor) => {
    if (!tensor.isDisposed) tensor.dispose();
  });
}
