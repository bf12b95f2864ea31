/**
 * Serialisable state of a {@link SeededRandom}: four 32-bit words. Store it in a checkpoint to resume
 * the exact same stream.
 */
export type SeededRandomState = [number, number, number, number];

/**
 * A small, fast, seedable pseudo-random generator (xoshiro128**), identical in Node and browsers.
 * Used for data order, augmentation and noise so that runs are reproducible and resumable.
 *
 * @example
 * ```ts
 * const rng = new SeededRandom(42);
 * rng.uniform();            // in [0, 1)
 * rng.normal();             // N(0, 1)
 * rng.shuffle([1, 2, 3]);   // in place, returns the array
 * const saved = rng.getState();
 * ```
 */
export class SeededRandom {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed any safe integer (negative ones included); the stream is fully determined by it.
   *   All 53 bits count: seeds that differ only above bit 32 give different streams.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`SeededRandom: seed must be a safe integer, got ${seed}`);
    }
    // SplitMix32-style expansion of the seed into four state words, with the high bits folded in.
    let x = seed >>> 0;
    const high = Math.floor(seed / 4294967296) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = (x ^ Math.imul(high, 0x85ebca6b)) >>> 0;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, n), for 1 <= n <= 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296)
      throw new RangeError(`SeededRandom.int: n must be an integer in [1, 2^32], got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Uniform in [min, max). */
  uniformIn(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  /** Two independent N(0, 1) values by the Box-Muller transform (two uniforms). */
  private normalPair(): [number, number] {
    // 1 - uniform() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  }

  /**
   * Standard normal N(0, 1). Uses one Box-Muller pair and drops its second value, so the whole
   * generator state stays in {@link getState}.
   */
  normal(): number {
    return this.normalPair()[0];
  }

  /**
   * `count` standard normal values as float32, using both values of each Box-Muller pair (so it
   * is not the same as `count` calls of {@link normal}).
   */
  normalArray(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const [first, second] = this.normalPair();
      out[i] = first;
      if (i + 1 < count) out[i + 1] = second;
    }
    return out;
  }

  /** `count` uniform values in [min, max) as float32 (default [0, 1)). */
  uniformArray(count: number, min = 0, max = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = min + (max - min) * this.uniform();
    return out;
  }

  /** Fisher-Yates shuffle in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** An independent generator derived from this one's next output (for per-worker streams). */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32());
  }

  /** The complete state to store; {@link setState} resumes the exact same stream. */
  getState(): SeededRandomState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(state: SeededRandomState): void {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new Error('SeededRandom.setState: state must be four unsigned 32-bit integers');
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) {
      throw new Error('SeededRandom.setState: the all-zero state is not valid for xoshiro128**');
    }
    [this.s0, this.s1, this.s2, this.s3] = state;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
