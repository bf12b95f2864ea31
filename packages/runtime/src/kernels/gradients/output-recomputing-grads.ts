import * as tf from '@tensorflow/tfjs';

/*
 * tfjs computes the gradients of these ops from their saved output. It saves that output as a clone
 * whose tape entry precedes the op's own, so the clone is not seen as depending on the input and a
 * second derivative silently drops every term through it (tested: sigmoid's is wrong in sign). These
 * replacements recompute the output from the saved input instead: same first-order values, correct
 * higher orders, one extra elementwise op in the backward pass.
 */

/** Sigmoid: dy * s * (1 - s), s = sigmoid(x). */
export const sigmoidGradConfig: tf.GradConfig = {
  kernelName: tf.Sigmoid,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return {
      x: () => {
        const y = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(1, y)));
      },
    };
  },
};

/** Tanh: dy * (1 - t^2), t = tanh(x). */
export const tanhGradConfig: tf.GradConfig = {
  kernelName: tf.Tanh,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
  },
};

/** Exp: dy * exp(x). */
export const expGradConfig: tf.GradConfig = {
  kernelName: tf.Exp,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
  },
};

/** Softmax: (dy - sum(dy * p)) * p, p = softmax(logits) along `dim`. */
export const softmaxGradConfig: tf.GradConfig = {
  kernelName: tf.Softmax,
  inputsToSave: ['logits'],
  gradFunc: (dy, saved, attrs) => {
    const [logits] = saved as [tf.Tensor];
    const { dim } = attrs as unknown as tf.SoftmaxAttrs;
    return {
      logits: () => {
        const probabilities = tf.softmax(logits, dim);
        const weighted = tf.sum(tf.mul(dy as tf.Tensor, probabilities), dim, true);
        return tf.mul(tf.sub(dy as tf.Tensor, weighted), probabilities);
      },
    };
  },
};
