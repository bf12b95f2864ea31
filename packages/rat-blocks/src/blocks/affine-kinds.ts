import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { MutableStateDict, StateDict } from '../core/state-dict';
import {
  type ConditionalAffineParams,
  conditionalAffineModulation,
  exportConditionalAffineToStateDict,
  initConditionalAffine,
  loadConditionalAffineFromStateDict,
} from './conditional-affine';
import {
  applyAndDisposeModulation,
  applyPhraseModulation,
  type Modulation,
  type PhraseMixture,
  type PlaceModulation,
} from './modulation';
import {
  exportLegacyRecurrentAffineToStateDict,
  exportRecurrentAffineToStateDict,
  initLegacyRecurrentAffine,
  initRecurrentAffine,
  type LegacyRecurrentAffineParams,
  legacyRecurrentAffineModulation,
  loadLegacyRecurrentAffineFromStateDict,
  loadRecurrentAffineFromStateDict,
  type RecurrentAffineParams,
  recurrentAffineModulation,
} from './recurrent-affine';
import type { RecurrentAffineChain } from './recurrent-affine-chain';

/**
 * Which affine a DF block uses:
 * - `'conditional'`: DF-GAN's affine (heads read the condition directly); RATLIP's G-blocks.
 * - `'recurrent'`: paper-mode RAT (heads read the shared cell of a {@link RecurrentAffineChain}); default
 *   of the M-block.
 * - `'recurrent-legacy'`: the official RATLIP `Affine_rnn` (batch-as-time LSTM per affine), for official
 *   checkpoints only.
 */
export type AffineKind = 'conditional' | 'recurrent' | 'recurrent-legacy';

/** Parameters of any affine kind, discriminated by `kind`. */
export type AffineParams = ConditionalAffineParams | RecurrentAffineParams | LegacyRecurrentAffineParams;

/** Sizes for {@link initAffine}. */
export interface AffineInitConfig {
  /** Condition size (RATLIP: 612). */
  readonly condDim: number;
  /** Modulated channels. */
  readonly channels: number;
  /** Recurrent kinds: LSTM hidden size. Default 64 (RATLIP). */
  readonly hiddenSize?: number;
}

/** Forward options shared by every affine kind. */
export interface AffineForwardOptions {
  /** The pass's chain; required by `'recurrent'` affines, ignored by the others. */
  chain?: RecurrentAffineChain;
  /** Scale and shift per place added to the affine's own (not in RATLIP). Default none. */
  place?: PlaceModulation;
  /**
   * Conditions per phrase and each place's weights over them (not in RATLIP): they replace `cond`, and
   * each place gets the weighted mean of the phrases' scales and shifts. `'conditional'` affines only,
   * as the recurrent kinds carry state from one affine to the next. Default none.
   */
  phrases?: PhraseMixture;
}

type ParamsOf<K extends AffineKind> = Extract<AffineParams, { kind: K }>;

interface AffineKindSpec<K extends AffineKind> {
  init(config: AffineInitConfig, rng: SeededRandom): ParamsOf<K>;
  modulation(params: ParamsOf<K>, cond: tf.Tensor, options: AffineForwardOptions): Modulation;
  load(dict: StateDict, prefix: string): ParamsOf<K>;
  export(params: ParamsOf<K>, prefix: string): MutableStateDict;
}

/** Default LSTM hidden size of the recurrent kinds (RATLIP's `hidden_size`). */
export const DEFAULT_RAT_HIDDEN_SIZE = 64;

/** The registry of affine kinds: how each is initialised, run, loaded and exported. */
export const AFFINE_KINDS: { readonly [K in AffineKind]: AffineKindSpec<K> } = {
  conditional: {
    init: (config, rng) => initConditionalAffine(config.condDim, config.channels, rng),
    modulation: (params, cond) => conditionalAffineModulation(params, cond),
    load: loadConditionalAffineFromStateDict,
    export: exportConditionalAffineToStateDict,
  },
  recurrent: {
    init: (config, rng) =>
      initRecurrentAffine(config.hiddenSize ?? DEFAULT_RAT_HIDDEN_SIZE, config.channels, rng),
    modulation: recurrentAffineModulation,
    load: loadRecurrentAffineFromStateDict,
    export: exportRecurrentAffineToStateDict,
  },
  'recurrent-legacy': {
    init: (config, rng) =>
      initLegacyRecurrentAffine(
        config.condDim,
        config.hiddenSize ?? DEFAULT_RAT_HIDDEN_SIZE,
        config.channels,
        rng,
      ),
    modulation: (params, cond) => {
      const { gamma, beta, sequence, h, c } = legacyRecurrentAffineModulation(params, cond);
      tf.dispose([sequence, h, c]);
      return { gamma, beta };
    },
    load: loadLegacyRecurrentAffineFromStateDict,
    export: exportLegacyRecurrentAffineToStateDict,
  },
};

function specOf<K extends AffineKind>(kind: K): AffineKindSpec<K> {
  const spec = AFFINE_KINDS[kind];
  if (!spec)
    throw new Error(
      `affine kind: unknown '${kind}', expected one of ${Object.keys(AFFINE_KINDS).join(', ')}`,
    );
  return spec;
}

/** Initialises an affine of `kind` (identity heads, PyTorch-default first layers / LSTM). */
export function initAffine<K extends AffineKind>(
  kind: K,
  config: AffineInitConfig,
  rng: SeededRandom,
): ParamsOf<K> {
  return specOf(kind).init(config, rng);
}

/**
 * gamma/beta of any affine kind.
 * @param cond `[batch, condDim]`.
 * @returns `[batch, channels]` each (`[1, channels]` for `'recurrent-legacy'`).
 */
export function affineModulation<K extends AffineKind>(
  params: ParamsOf<K>,
  cond: tf.Tensor,
  options: AffineForwardOptions = {},
): Modulation {
  return specOf(params.kind as K).modulation(params, cond, options);
}

function plainAffineForward(
  params: AffineParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: AffineForwardOptions,
): tf.Tensor4D {
  return applyAndDisposeModulation(x, affineModulation(params, cond, options));
}

function phraseAffineForward(params: AffineParams, x: tf.Tensor, phrases: PhraseMixture): tf.Tensor4D {
  if (params.kind !== 'conditional') {
    throw new Error(`affine: phrases need a 'conditional' affine, got '${params.kind}'`);
  }
  const { conds, weights } = phrases;
  const [batch, count, condDim] = conds.shape;
  if (weights.rank !== 4 || weights.shape[0] !== batch || weights.shape[3] !== count) {
    throw new Error(
      `affine: phrase weights must be [${batch}, height, width, ${count}] for conds [${conds.shape.join(', ')}], got [${weights.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() =>
    applyPhraseModulation(
      x,
      conditionalAffineModulation(params, tf.reshape(conds, [batch * count, condDim])),
      weights,
    ),
  );
}

/**
 * `gamma * x + beta` for any affine kind.
 * @param x `[batch, height, width, channels]`.
 * @param cond `[batch, condDim]`; unused with `options.phrases`.
 */
export function affineForward(
  params: AffineParams,
  x: tf.Tensor,
  cond: tf.Tensor,
  options: AffineForwardOptions = {},
): tf.Tensor4D {
  const { place, phrases } = options;
  const out = phrases
    ? phraseAffineForward(params, x, phrases)
    : plainAffineForward(params, x, cond, options);
  if (!place) return out;
  if (place.scale.rank !== 4 || place.scale.shape.some((side, axis) => side !== out.shape[axis])) {
    tf.dispose(out);
    throw new Error(
      `affine: the place modulation must be [${out.shape.join(', ')}] as x, got [${place.scale.shape.join(', ')}]`,
    );
  }
  const placed = tf.tidy(() => tf.add(tf.add(out, tf.mul(place.scale, x)), place.shift) as tf.Tensor4D);
  out.dispose();
  return placed;
}

/** Reads an affine of `kind` from its official keys under `prefix`. */
export function loadAffineFromStateDict<K extends AffineKind>(
  dict: StateDict,
  prefix: string,
  kind: K,
): ParamsOf<K> {
  return specOf(kind).load(dict, prefix);
}

/** Writes an affine's keys under `prefix`. */
export function exportAffineToStateDict<K extends AffineKind>(
  params: ParamsOf<K>,
  prefix: string,
): MutableStateDict {
  return specOf(params.kind as K).export(params, prefix);
}
