// The parts that word attention and phrase attention share: every place of a feature map attends over
// a caption's tokens (its words, or its phrases).
import * as tf from '@tensorflow/tfjs';
import { type LinearParams, linearForward } from '../core/linear';

/** Features of each place's position that a position projection reads: `(x, y, x², y²)`. */
export const POSITION_FEATURES = 4;

/** Masked-out scores: far below any real score, yet `exp` of it minus the row maximum stays finite. */
export const MASKED_SCORE = -1e9;

/** `[height * width, 4]`: `(x, y, x², y²)` of each position, row-major, `x, y` in [-1, 1] at pixel centres. */
export function positionFeatures(height: number, width: number): tf.Tensor2D {
  const values = new Float32Array(height * width * POSITION_FEATURES);
  for (let row = 0; row < height; row++) {
    const y = (2 * row + 1) / height - 1;
    for (let column = 0; column < width; column++) {
      const x = (2 * column + 1) / width - 1;
      values.set([x, y, x * x, y * y], (row * width + column) * POSITION_FEATURES);
    }
  }
  return tf.tensor2d(values, [height * width, POSITION_FEATURES]);
}

/** How a caller names its tokens in errors. */
export interface TokenNames {
  /** The function the error comes from, e.g. `wordAttentionForward`. */
  readonly where: string;
  /** The tokens, e.g. `word features`. */
  readonly tokens: string;
  /** Their count's name in a shape, e.g. `words`. */
  readonly count: string;
  /** The mask, e.g. `word mask`. */
  readonly mask: string;
}

/**
 * Checks `x` `[batch, height, width, channels]`, `tokens` `[batch, count, width]` and `mask`
 * `[batch, count]`; throws naming the one that does not fit.
 */
export function checkPlacesOverTokens(
  names: TokenNames,
  x: tf.Tensor,
  channels: number,
  tokens: tf.Tensor,
  tokenWidth: number,
  mask: tf.Tensor,
): void {
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new Error(
      `${names.where}: x must be [batch, height, width, ${channels}], got [${x.shape.join(', ')}]`,
    );
  }
  const batch = x.shape[0];
  if (tokens.rank !== 3 || tokens.shape[0] !== batch || tokens.shape[2] !== tokenWidth) {
    throw new Error(
      `${names.where}: ${names.tokens} must be [${batch}, ${names.count}, ${tokenWidth}], got [${tokens.shape.join(', ')}]`,
    );
  }
  const count = tokens.shape[1];
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== count) {
    throw new Error(
      `${names.where}: ${names.mask} must be [${batch}, ${count}], got [${mask.shape.join(', ')}]`,
    );
  }
}

/**
 * Each place's query: its features projected, plus its position projected when there is a position
 * projection. Call inside `tf.tidy`.
 * @param x `[batch, height, width, channels]`.
 * @returns `[batch, height * width, keyDim]`.
 */
export function placeQueries(
  query: LinearParams,
  position: LinearParams | undefined,
  x: tf.Tensor,
): tf.Tensor3D {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const content = tf.reshape(linearForward(query, tf.reshape(x, [batch * height * width, channels])), [
    batch,
    height * width,
    -1,
  ]) as tf.Tensor3D;
  return position ? tf.add(content, linearForward(position, positionFeatures(height, width))) : content;
}

/**
 * `softmax(scale · queries · keysᵀ + mask)` over the tokens, padding at zero weight. Call inside `tf.tidy`.
 * @param queries `[batch, places, keyDim]`.
 * @param keys `[batch, count, keyDim]`.
 * @param mask `[batch, count]`, 1 for tokens and 0 for padding.
 * @returns `[batch, places, count]`.
 */
export function maskedAttention(
  queries: tf.Tensor3D,
  keys: tf.Tensor3D,
  mask: tf.Tensor2D,
  scale: number,
): tf.Tensor3D {
  const [batch, count] = mask.shape;
  const scores = tf.mul(tf.matMul(queries, keys, false, true), scale);
  const padding = tf.reshape(tf.mul(tf.sub(1, mask), MASKED_SCORE), [batch, 1, count]);
  return tf.softmax(tf.add(scores, padding)) as tf.Tensor3D;
}
