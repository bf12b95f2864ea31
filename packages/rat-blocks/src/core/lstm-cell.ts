import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger, uniformVariable } from './pytorch-init';
import { type MutableStateDict, type StateDict, stateDictTensor, variableFrom } from './state-dict';

/**
 * One LSTM cell with PyTorch's gate order (input, forget, cell, output), sigmoid gates and tanh cell
 * activation. Both PyTorch biases are kept (their sum enters the gates) so a state dict round-trips exactly.
 */
export interface LstmCellParams {
  /** `[in, 4 * hidden]`: transpose of PyTorch `weight_ih`. */
  readonly inputKernel: tf.Tensor;
  /** `[hidden, 4 * hidden]`: transpose of PyTorch `weight_hh`. */
  readonly recurrentKernel: tf.Tensor;
  /** `[4 * hidden]`: PyTorch `bias_ih`. */
  readonly inputBias: tf.Tensor;
  /** `[4 * hidden]`: PyTorch `bias_hh`. */
  readonly recurrentBias: tf.Tensor;
}

/** Hidden and cell state, each `[batch, hidden]`. */
export type LstmState = {
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D;
};

/** PyTorch's LSTM initialisation: every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)). */
export function initLstmCell(inputSize: number, hiddenSize: number, rng: SeededRandom): LstmCellParams {
  assertPositiveInteger(inputSize, 'initLstmCell inputSize');
  assertPositiveInteger(hiddenSize, 'initLstmCell hiddenSize');
  const bound = 1 / Math.sqrt(hiddenSize);
  return {
    inputKernel: uniformVariable(rng, [inputSize, 4 * hiddenSize], bound),
    recurrentKernel: uniformVariable(rng, [hiddenSize, 4 * hiddenSize], bound),
    inputBias: uniformVariable(rng, [4 * hiddenSize], bound),
    recurrentBias: uniformVariable(rng, [4 * hiddenSize], bound),
  };
}

/** Hidden size of a cell. */
export function lstmHiddenSize(params: LstmCellParams): number {
  return params.recurrentKernel.shape[0]!;
}

/** Input size of a cell. */
export function lstmInputSize(params: LstmCellParams): number {
  return params.inputKernel.shape[0]!;
}

function gatesToState(gates: tf.Tensor2D, c: tf.Tensor2D): LstmState {
  const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const cNext = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  const hNext = tf.mul(tf.sigmoid(o), tf.tanh(cNext)) as tf.Tensor2D;
  return { h: hNext, c: cNext };
}

/**
 * One step: gates = x W_ih + h W_hh + b_ih + b_hh.
 * @param x `[batch, in]`.
 * @param state `[batch, hidden]` each.
 * @returns the next state, `[batch, hidden]` each.
 */
export function lstmCellStep(params: LstmCellParams, x: tf.Tensor, state: LstmState): LstmState {
  return tf.tidy(() => {
    const projected = tf.add(
      tf.matMul(x as tf.Tensor2D, params.inputKernel as tf.Tensor2D),
      tf.matMul(state.h, params.recurrentKernel as tf.Tensor2D),
    );
    const gates = tf.add(projected, tf.add(params.inputBias, params.recurrentBias)) as tf.Tensor2D;
    return gatesToState(gates, state.c);
  });
}

/** The result of {@link lstmSequence}. */
export type LstmSequenceResult = LstmState & {
  /** Hidden state after each step, `[steps, hidden]`. */
  readonly outputs: tf.Tensor2D;
};

/**
 * Runs a single sequence (batch 1) from a zero state, as `nn.LSTM(batch_first=True)` does on `[1, T, in]`.
 * @param inputs `[steps, in]`.
 * @returns final `h`, `c` (`[1, hidden]`) and every step's hidden state.
 */
export function lstmSequence(params: LstmCellParams, inputs: tf.Tensor): LstmSequenceResult {
  return tf.tidy(() => {
    const steps = inputs.shape[0]!;
    const hidden = lstmHiddenSize(params);
    const projected = tf.add(
      tf.matMul(inputs as tf.Tensor2D, params.inputKernel as tf.Tensor2D),
      tf.add(params.inputBias, params.recurrentBias),
    );
    const perStep = tf.split(projected, steps, 0) as tf.Tensor2D[];
    let state: LstmState = { h: tf.zeros([1, hidden]), c: tf.zeros([1, hidden]) };
    const outputs: tf.Tensor2D[] = [];
    for (const projectedStep of perStep) {
      const gates = tf.add(
        projectedStep,
        tf.matMul(state.h, params.recurrentKernel as tf.Tensor2D),
      ) as tf.Tensor2D;
      state = gatesToState(gates, state.c);
      outputs.push(state.h);
    }
    return { h: state.h, c: state.c, outputs: tf.concat(outputs, 0) };
  });
}

/**
 * Reads `${prefix}weight_ih${suffix}`, `weight_hh`, `bias_ih`, `bias_hh`.
 * @param suffix `'_l0'` for a one-layer `nn.LSTM` (RATLIP's `rnn.*`), `''` for `nn.LSTMCell`.
 */
export function loadLstmCellFromStateDict(dict: StateDict, prefix: string, suffix: string): LstmCellParams {
  const weightIh = stateDictTensor(dict, `${prefix}weight_ih${suffix}`, [-1, -1]);
  const fourH = weightIh.shape[0]!;
  if (fourH % 4 !== 0)
    throw new Error(`state dict: '${prefix}weight_ih${suffix}' rows ${fourH} not divisible by 4`);
  const hidden = fourH / 4;
  return {
    inputKernel: variableFrom(weightIh, [1, 0]),
    recurrentKernel: variableFrom(
      stateDictTensor(dict, `${prefix}weight_hh${suffix}`, [fourH, hidden]),
      [1, 0],
    ),
    inputBias: variableFrom(stateDictTensor(dict, `${prefix}bias_ih${suffix}`, [fourH])),
    recurrentBias: variableFrom(stateDictTensor(dict, `${prefix}bias_hh${suffix}`, [fourH])),
  };
}

/** Writes the four PyTorch LSTM keys (see {@link loadLstmCellFromStateDict} for `suffix`). */
export function exportLstmCellToStateDict(
  params: LstmCellParams,
  prefix: string,
  suffix: string,
): MutableStateDict {
  return {
    [`${prefix}weight_ih${suffix}`]: tf.transpose(params.inputKernel),
    [`${prefix}weight_hh${suffix}`]: tf.transpose(params.recurrentKernel),
    [`${prefix}bias_ih${suffix}`]: tf.clone(params.inputBias),
    [`${prefix}bias_hh${suffix}`]: tf.clone(params.recurrentBias),
  };
}
