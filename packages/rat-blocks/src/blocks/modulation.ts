import * as tf from '@tensorflow/tfjs';

/** Per-channel scale and shift produced by an affine's heads, each `[batch, channels]` or `[1, channels]`. */
export type Modulation = {
  readonly gamma: tf.Tensor2D;
  readonly beta: tf.Tensor2D;
};

/**
 * Scale and shift that vary with the place, each `[batch, height, width, channels]`, added to an affine's
 * per-channel ones: `(gamma + scale) * x + beta + shift`.
 */
export type PlaceModulation = {
  readonly scale: tf.Tensor4D;
  readonly shift: tf.Tensor4D;
};

/**
 * `gamma * x + beta`, broadcast over height and width (and over the batch when `[1, channels]`).
 * @param x `[batch, height, width, channels]`.
 */
export function applyModulation(x: tf.Tensor, modulation: Modulation): tf.Tensor4D {
  const channels = x.shape[3];
  if (x.rank !== 4 || modulation.gamma.shape[1] !== channels) {
    throw new Error(
      `affine: x must be [batch, height, width, ${modulation.gamma.shape[1]}] to match the heads, got [${x.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const gamma = tf.reshape(modulation.gamma, [-1, 1, 1, channels!]);
    const beta = tf.reshape(modulation.beta, [-1, 1, 1, channels!]);
    return tf.add(tf.mul(x, gamma), beta) as tf.Tensor4D;
  });
}

/**
 * {@link applyModulation}, then disposes `modulation`: for affines that cannot run in `tf.tidy`, because
 * a recurrent chain they step keeps its new state.
 */
export function applyAndDisposeModulation(x: tf.Tensor, modulation: Modulation): tf.Tensor4D {
  const out = applyModulation(x, modulation);
  tf.dispose([modulation.gamma, modulation.beta]);
  return out;
}

/**
 * An affine's condition per phrase and each place's weights over the phrases (not in RATLIP): the
 * affine predicts a scale and shift from each phrase's condition and each place takes their weighted
 * mean, `gamma(place) = Σ_k weights[place, k] · gamma(conds[k])`, likewise `beta`.
 */
export type PhraseMixture = {
  /** `[batch, phrases, condDim]`. */
  readonly conds: tf.Tensor3D;
  /** `[batch, height, width, phrases]`, at the modulated feature map's size. */
  readonly weights: tf.Tensor4D;
};

/**
 * `gamma(place) * x + beta(place)` with the per-phrase scale and shift of `perPhrase` mixed by `weights`.
 * @param x `[batch, height, width, channels]`.
 * @param perPhrase gamma and beta, `[batch * phrases, channels]` each, phrase-minor.
 * @param weights `[batch, height, width, phrases]`.
 */
export function applyPhraseModulation(
  x: tf.Tensor,
  perPhrase: Modulation,
  weights: tf.Tensor4D,
): tf.Tensor4D {
  const [batch, height, width, phrases] = weights.shape;
  const channels = perPhrase.gamma.shape[1];
  if (
    x.rank !== 4 ||
    x.shape[0] !== batch ||
    x.shape[1] !== height ||
    x.shape[2] !== width ||
    x.shape[3] !== channels
  ) {
    throw new Error(
      `affine: with phrases, x must be [${batch}, ${height}, ${width}, ${channels}] as the phrase weights and heads, got [${x.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const flatWeights = tf.reshape(weights, [batch, height * width, phrases]);
    const mix = (perPhraseValue: tf.Tensor2D) =>
      tf.reshape(tf.matMul(flatWeights, tf.reshape(perPhraseValue, [batch, phrases, channels])), [
        batch,
        height,
        width,
        channels,
      ]);
    return tf.add(tf.mul(x, mix(perPhrase.gamma)), mix(perPhrase.beta)) as tf.Tensor4D;
  });
}
