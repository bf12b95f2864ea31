import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import {
  exportLinearToStateDict,
  initLinear,
  type LinearParams,
  linearForward,
  loadLinearFromStateDict,
} from '../core/linear';
import {
  exportLstmCellToStateDict,
  initLstmCell,
  type LstmCellParams,
  type LstmState,
  loadLstmCellFromStateDict,
  lstmCellStep,
  lstmHiddenSize,
  lstmInputSize,
} from '../core/lstm-cell';
import { type MutableStateDict, mergeStateDicts, type StateDict, stateDictHas } from '../core/state-dict';

/** How the recurrent state is reset at the start of each forward pass. */
export type RecurrentInitialState = 'zeros' | 'noise';

/** Sizes of a {@link RecurrentAffineChainParams}. */
export interface RecurrentAffineChainConfig {
  /** Size of the condition fed to the cell at every step (RATLIP: noise 100 + sentence 512 = 612). */
  readonly condDim: number;
  /** LSTM hidden size (RATLIP: 64, RAT-GAN: 256). */
  readonly hiddenSize: number;
  /** `'zeros'` (default) or `'noise'`: h0 = Linear(noise), c0 = Linear(noise), as RAT-GAN does. */
  readonly initialState: RecurrentInitialState;
  /** Noise size when `initialState` is `'noise'`. */
  readonly noiseDim?: number;
}

/**
 * The shared part of paper-mode RAT: ONE LSTM cell stepped once per recurrent affine, in forward order,
 * with the condition as input and per-sample state `[batch, hidden]`; optional learned initial state.
 * State-dict keys (PyTorch `nn.LSTMCell` / `nn.Linear` naming; no official checkpoint has them):
 * `cell.weight_ih|weight_hh|bias_ih|bias_hh`, `init_h.weight|bias`, `init_c.weight|bias`.
 */
export interface RecurrentAffineChainParams {
  readonly config: RecurrentAffineChainConfig;
  readonly cell: LstmCellParams;
  /** noise -> h0 (only with `initialState: 'noise'`). */
  readonly initialH?: LinearParams;
  /** noise -> c0 (only with `initialState: 'noise'`). */
  readonly initialC?: LinearParams;
}

/** Options of {@link initRecurrentAffineChain}. */
export interface RecurrentAffineChainInitOptions {
  /** Default `'zeros'`. */
  initialState?: RecurrentInitialState;
  /** Required with `initialState: 'noise'`. */
  noiseDim?: number;
}

/** PyTorch-default initialisation of the shared cell (and of the initial-state projections). */
export function initRecurrentAffineChain(
  condDim: number,
  hiddenSize: number,
  rng: SeededRandom,
  options: RecurrentAffineChainInitOptions = {},
): RecurrentAffineChainParams {
  const initialState = options.initialState ?? 'zeros';
  const cell = initLstmCell(condDim, hiddenSize, rng);
  if (initialState === 'zeros') return { config: { condDim, hiddenSize, initialState }, cell };
  const noiseDim = options.noiseDim;
  if (noiseDim === undefined) {
    throw new Error("initRecurrentAffineChain: options.noiseDim is required with initialState 'noise'");
  }
  return {
    config: { condDim, hiddenSize, initialState, noiseDim },
    cell,
    initialH: initLinear(noiseDim, hiddenSize, rng),
    initialC: initLinear(noiseDim, hiddenSize, rng),
  };
}

/** Options of {@link RecurrentAffineChain.start}. */
export interface RecurrentAffineChainStartOptions {
  /** Batch size, for `'zeros'` (ignored when `noise` is given). */
  batchSize?: number;
  /** `[batch, noiseDim]`, required for `'noise'`. */
  noise?: tf.Tensor;
}

/**
 * The recurrent state of ONE forward pass, threaded through every paper-mode recurrent affine in forward
 * order: each affine calls {@link step}, which advances the shared cell by one step. Start a new chain for
 * every forward pass (the state is reset, as in the paper).
 *
 * Tensor ownership: the state lives in the tf.tidy scope that created it; block forwards pass the newest
 * state out of their own tidy so it survives. Inside an outer `tf.tidy`/`tf.variableGrads` everything is
 * freed with that scope; otherwise call {@link dispose} when the pass is done.
 */
export class RecurrentAffineChain {
  private current: LstmState;
  private steps = 0;
  private readonly held: tf.Tensor[] = [];

  private constructor(
    readonly params: RecurrentAffineChainParams,
    initial: LstmState,
  ) {
    this.current = initial;
    this.held.push(initial.h, initial.c);
  }

  /** Resets the state for a new forward pass: zeros `[batch, hidden]`, or the learned projection of `noise`. */
  static start(
    params: RecurrentAffineChainParams,
    options: RecurrentAffineChainStartOptions,
  ): RecurrentAffineChain {
    const hidden = lstmHiddenSize(params.cell);
    if (params.config.initialState === 'noise') {
      if (!options.noise || !params.initialH || !params.initialC) {
        throw new Error(
          "RecurrentAffineChain.start: initialState 'noise' needs options.noise [batch, noiseDim]",
        );
      }
      const noise = options.noise;
      const state = tf.tidy(() => ({
        h: linearForward(params.initialH!, noise),
        c: linearForward(params.initialC!, noise),
      }));
      return new RecurrentAffineChain(params, state);
    }
    const batchSize = options.batchSize ?? options.noise?.shape[0];
    if (batchSize === undefined || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(
        'RecurrentAffineChain.start: options.batchSize (a positive integer) or options.noise is required',
      );
    }
    return new RecurrentAffineChain(params, {
      h: tf.zeros([batchSize, hidden]),
      c: tf.zeros([batchSize, hidden]),
    });
  }

  /** The current state, `[batch, hidden]` each. */
  get state(): LstmState {
    return this.current;
  }

  /** Steps taken since {@link start}. */
  get stepCount(): number {
    return this.steps;
  }

  /** Hidden size of the shared cell. */
  get hiddenSize(): number {
    return lstmHiddenSize(this.params.cell);
  }

  /**
   * Advances the shared cell by one step with `cond` as input.
   * @param cond `[batch, condDim]` with the chain's batch size.
   * @returns the new hidden state `[batch, hidden]` (owned by the chain).
   */
  step(cond: tf.Tensor): tf.Tensor2D {
    const batch = this.current.h.shape[0];
    if (cond.rank !== 2 || cond.shape[0] !== batch || cond.shape[1] !== lstmInputSize(this.params.cell)) {
      throw new Error(
        `RecurrentAffineChain.step: cond must be [${batch}, ${lstmInputSize(this.params.cell)}], got [${cond.shape.join(', ')}]`,
      );
    }
    this.current = lstmCellStep(this.params.cell, cond, this.current);
    this.held.push(this.current.h, this.current.c);
    this.steps++;
    return this.current.h;
  }

  /** Disposes every state tensor this chain produced that is still alive. */
  dispose(): void {
    for (const tensor of this.held) if (!tensor.isDisposed) tensor.dispose();
    this.held.length = 0;
  }
}

/**
 * `tf.tidy(fn)` that lets the chain's newest state escape with the output, so a block forward can step the
 * chain inside its own tidy without the next block finding a disposed state.
 */
export function tidyWithChain<T extends tf.Tensor>(chain: RecurrentAffineChain | undefined, fn: () => T): T {
  if (!chain) return tf.tidy(fn);
  return tf.tidy(() => {
    const output = fn();
    return { output, h: chain.state.h, c: chain.state.c };
  }).output;
}

/** Reads `${prefix}cell.*` (LSTMCell naming) and, when present, `${prefix}init_h.*` / `${prefix}init_c.*`. */
export function loadRecurrentAffineChainFromStateDict(
  dict: StateDict,
  prefix: string,
): RecurrentAffineChainParams {
  const cell = loadLstmCellFromStateDict(dict, `${prefix}cell.`, '');
  const condDim = lstmInputSize(cell);
  const hiddenSize = lstmHiddenSize(cell);
  if (!stateDictHas(dict, `${prefix}init_h.weight`)) {
    return { config: { condDim, hiddenSize, initialState: 'zeros' }, cell };
  }
  const initialH = loadLinearFromStateDict(dict, `${prefix}init_h.`);
  const initialC = loadLinearFromStateDict(dict, `${prefix}init_c.`);
  const noiseDim = initialH.weight.shape[0]!;
  return { config: { condDim, hiddenSize, initialState: 'noise', noiseDim }, cell, initialH, initialC };
}

/** Writes the chain's keys (see {@link RecurrentAffineChainParams}). */
export function exportRecurrentAffineChainToStateDict(
  params: RecurrentAffineChainParams,
  prefix: string,
): MutableStateDict {
  const parts = [exportLstmCellToStateDict(params.cell, `${prefix}cell.`, '')];
  if (params.initialH) parts.push(exportLinearToStateDict(params.initialH, `${prefix}init_h.`));
  if (params.initialC) parts.push(exportLinearToStateDict(params.initialC, `${prefix}init_c.`));
  return mergeStateDicts(...parts);
}
