import { SeededRandom, type SeededRandomState } from '@ratlip/runtime';

/** Random numbers drawn per sample slot: caption choice, crop x, crop y, flip. */
export const DRAWS_PER_SLOT = 4;

/** Everything random about one epoch, fixed before any image is read. */
export interface EpochPlan {
  /** `order[slot]` is the dataset index visited at position `slot`. */
  order: Int32Array;
  /** `DRAWS_PER_SLOT` uniforms in [0, 1) per slot. */
  draws: Float64Array;
  /** Generator state at the start of the next epoch. */
  nextState: SeededRandomState;
}

/**
 * Plans an epoch from the generator state at its start: the visiting order (a permutation when
 * `shuffle`), then four uniforms per slot. Replaying a plan from the same state gives the same epoch,
 * which is what makes a resumed pipeline continue exactly.
 */
export function planEpoch(state: SeededRandomState, size: number, shuffle: boolean): EpochPlan {
  const rng = new SeededRandom(0);
  rng.setState(state);
  const order = Int32Array.from(shuffle ? rng.permutation(size) : Array.from({ length: size }, (_, i) => i));
  const draws = new Float64Array(size * DRAWS_PER_SLOT);
  for (let i = 0; i < draws.length; i++) draws[i] = rng.uniform();
  return { order, draws, nextState: rng.getState() };
}
