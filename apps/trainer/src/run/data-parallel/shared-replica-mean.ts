/** Control words at the start of the shared buffer. */
const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
const CONTROL_WORDS = 4;

/** How long one `Atomics.wait` lasts before the abort flag is checked again, in milliseconds. */
const ABORT_POLL_MS = 250;

/** Thrown on every replica once one of them has aborted (failed or stopped) the group. */
export class ReplicaGroupAborted extends Error {
  constructor() {
    super('data-parallel training: another replica failed; see its error');
    this.name = 'ReplicaGroupAborted';
  }
}

/** Bytes of shared memory that a group of `replicas` averaging up to `capacity` values needs. */
export function replicaMeanBufferBytes(replicas: number, capacity: number): number {
  return CONTROL_WORDS * 4 + replicas * capacity * 4;
}

/**
 * An in-place mean across the threads of a data-parallel group, over one `SharedArrayBuffer`: each
 * replica writes its values into its own slot, waits at a barrier, sums the slots in rank order (so
 * every replica gets bit-identical results) and waits again before the slots are reused. Calls block
 * the calling thread (`Atomics.wait`), which Node allows on the main thread too.
 *
 * @example
 * ```ts
 * const buffer = new SharedArrayBuffer(replicaMeanBufferBytes(2, parameterCount));
 * const mean = new SharedReplicaMean(buffer, { rank: 0, replicas: 2, capacity: parameterCount });
 * new RatlipTrainer(model, { replicaMean: (values) => mean.meanInPlace(values) });
 * ```
 */
export class SharedReplicaMean {
  readonly rank: number;
  readonly replicas: number;
  readonly capacity: number;
  private readonly control: Int32Array;
  private readonly slots: Float32Array;

  constructor(buffer: SharedArrayBuffer, options: { rank: number; replicas: number; capacity: number }) {
    const { rank, replicas, capacity } = options;
    if (
      !(Number.isInteger(replicas) && replicas >= 1 && Number.isInteger(rank) && rank >= 0 && rank < replicas)
    ) {
      throw new Error(`SharedReplicaMean: rank ${rank} of ${replicas} replicas is not valid`);
    }
    if (buffer.byteLength < replicaMeanBufferBytes(replicas, capacity)) {
      throw new Error(
        `SharedReplicaMean: the buffer holds ${buffer.byteLength} bytes; ${replicas} replicas of ${capacity} values need ${replicaMeanBufferBytes(replicas, capacity)}`,
      );
    }
    this.rank = rank;
    this.replicas = replicas;
    this.capacity = capacity;
    this.control = new Int32Array(buffer, 0, CONTROL_WORDS);
    this.slots = new Float32Array(buffer, CONTROL_WORDS * 4, replicas * capacity);
  }

  /** Replaces `values` by the mean of every replica's `values` (same length on all of them). */
  meanInPlace(values: Float32Array): void {
    if (values.length > this.capacity) {
      throw new Error(`SharedReplicaMean: ${values.length} values exceed the capacity of ${this.capacity}`);
    }
    const length = values.length;
    this.slots.set(values, this.rank * this.capacity);
    this.barrier();
    values.set(this.slots.subarray(0, length));
    for (let replica = 1; replica < this.replicas; replica++) {
      const offset = replica * this.capacity;
      for (let i = 0; i < length; i++) values[i]! += this.slots[offset + i]!;
    }
    const scale = 1 / this.replicas;
    for (let i = 0; i < length; i++) values[i]! *= scale;
    this.barrier();
  }

  /** Makes every replica's current and next wait throw {@link ReplicaGroupAborted}. */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, GENERATION);
  }

  /** Whether the group was aborted. */
  get aborted(): boolean {
    return Atomics.load(this.control, ABORTED) === 1;
  }

  /** Waits until all replicas arrive (a generation-counting barrier). */
  private barrier(): void {
    if (this.replicas === 1) return;
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, ARRIVED, 1) === this.replicas - 1) {
      Atomics.store(this.control, ARRIVED, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      return;
    }
    while (Atomics.load(this.control, GENERATION) === generation) {
      if (this.aborted) throw new ReplicaGroupAborted();
      Atomics.wait(this.control, GENERATION, generation, ABORT_POLL_MS);
    }
  }
}
