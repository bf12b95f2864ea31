import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  ClipContrastOptions,
  RatlipGan,
  ReconstructionOptions,
  ReplicaMean,
  ResolvedRatlipConfig,
} from '@ratlip/ratlip-gan';
import type { SeededRandomState } from '@ratlip/runtime';
import { CliFailure } from '../../cli-errors';
import { type ReplicaBatch, replicaBatchBuffers, replicaShard } from './replica-batch';
import type { FromReplicaMessage, ReplicaWorkerData, ToReplicaMessage } from './replica-protocol';
import { ReplicaGroupAborted, replicaMeanBufferBytes, SharedReplicaMean } from './shared-replica-mean';

/** The replica thread's script beside the bundle (`dist/replica-worker.js`). */
export const REPLICA_WORKER_SCRIPT = new URL('./replica-worker.js', import.meta.url);

/** Seed of replica `rank`'s noise: above the 32 bits of user seeds, so no run's rank 0 shares it. */
export function replicaNoiseSeed(seed: number, rank: number): number {
  return seed + rank * 2 ** 32;
}

/** Options of {@link ReplicaPool.start}. */
export interface ReplicaPoolOptions {
  /** Replicas in all, rank 0 (this thread) included; at least 2. */
  replicas: number;
  /** Rank 0's model: gives the parameter counts. */
  model: RatlipGan;
  modelConfig: ResolvedRatlipConfig;
  /** The concrete backend rank 0 runs on. */
  backend: string;
  /** The run's seed (initial weights; replica noise seeds derive from it). */
  seed: number;
  /** The checkpoint rank 0 resumed from, and the replicas' noise states it saved. */
  resume?: { checkpoint: string; noiseStates: readonly SeededRandomState[] };
  /** The replica thread's script. Default {@link REPLICA_WORKER_SCRIPT}. */
  workerScript?: URL;
  /** The run's contrastive CLIP term, if on. */
  clipContrast?: ClipContrastOptions;
  /** The run's D also sees hard mismatched pairs. */
  hardMismatch?: boolean;
  /** The paired reconstruction term of the run, if on. */
  reconstruction?: ReconstructionOptions;
}

interface ReplicaThread {
  worker: Worker;
  /** Settles with the next `stepped` (or `ready`/`closed`) message, or fails with the replica's error. */
  next: () => Promise<FromReplicaMessage>;
}

function parameterCount(tree: object | undefined): number {
  let count = 0;
  const visit = (value: unknown) => {
    if (value && typeof value === 'object') {
      if ('size' in value && 'dtype' in value && 'shape' in value) count += (value as { size: number }).size;
      else for (const child of Object.values(value)) visit(child);
    }
  };
  visit(tree);
  return count;
}

function startThread(script: URL, data: ReplicaWorkerData): ReplicaThread {
  const worker = new Worker(script, { workerData: data });
  const queue: FromReplicaMessage[] = [];
  const waiting: Array<{ resolve: (message: FromReplicaMessage) => void; reject: (error: Error) => void }> =
    [];
  let failure: Error | undefined;
  const settle = () => {
    while (waiting.length > 0 && (queue.length > 0 || failure)) {
      const waiter = waiting.shift()!;
      if (queue.length > 0) waiter.resolve(queue.shift()!);
      else waiter.reject(failure!);
    }
  };
  worker.on('message', (message: FromReplicaMessage) => {
    if (message.type === 'failed') {
      failure = new Error(`data-parallel replica ${data.rank}: ${message.message}`);
    } else queue.push(message);
    settle();
  });
  worker.on('error', (error) => {
    failure ??= new Error(`data-parallel replica ${data.rank}: ${error.message}`);
    settle();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`data-parallel replica ${data.rank} exited (code ${code})`);
    settle();
  });
  return {
    worker,
    next: () =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        settle();
      }),
  };
}

/**
 * Data-parallel training on the threads of one process: rank 0 is the caller's thread, ranks 1.. are
 * worker threads with their own TF.js backend and a copy of the model. Each step, every replica takes
 * an equal shard of the batch; gradients and losses are averaged through shared memory (see
 * `RatlipTrainerOptions.replicaMean`), so the weights stay equal. On wasm, which runs one thread per
 * backend, this is how training uses more than one core.
 *
 * @example
 * ```ts
 * const pool = await ReplicaPool.start({ replicas: 2, model, modelConfig, backend: 'wasm', seed });
 * const trainer = new RatlipTrainer(model, { replicaMean: pool.replicaMean });
 * const shard = trainBatchOf(pool.dispatch(batch)); // ranks 1.. start stepping
 * trainer.step(shard);                              // rank 0 steps here
 * await pool.stepped();
 * ```
 */
export class ReplicaPool {
  /** Rank 0's mean: give it to rank 0's trainer. */
  readonly replicaMean: ReplicaMean;
  private readonly mean: SharedReplicaMean;
  private readonly threads: ReplicaThread[];
  private readonly states: SeededRandomState[];
  private pending: Promise<void> | undefined;

  private constructor(mean: SharedReplicaMean, threads: ReplicaThread[], states: SeededRandomState[]) {
    this.mean = mean;
    this.threads = threads;
    this.states = states;
    this.replicaMean = (values) => mean.meanInPlace(values);
  }

  /** Starts the replica threads and waits until each has built its model. */
  static async start(options: ReplicaPoolOptions): Promise<ReplicaPool> {
    const { replicas, model } = options;
    const script = options.workerScript ?? REPLICA_WORKER_SCRIPT;
    if (!existsSync(fileURLToPath(script))) {
      throw new CliFailure(
        `data-parallel training needs the replica thread's script ${fileURLToPath(script)}: build the trainer (pnpm build) or train with --workers 1`,
      );
    }
    const capacity = Math.max(
      parameterCount(model.netG),
      parameterCount(model.netD) + parameterCount(model.netC),
    );
    const buffer = new SharedArrayBuffer(replicaMeanBufferBytes(replicas, capacity));
    const mean = new SharedReplicaMean(buffer, { rank: 0, replicas, capacity });
    const threads: ReplicaThread[] = [];
    const states: SeededRandomState[] = [];
    for (let rank = 1; rank < replicas; rank++) {
      const noiseState = options.resume?.noiseStates[rank - 1];
      threads.push(
        startThread(script, {
          rank,
          replicas,
          capacity,
          buffer,
          backend: options.backend,
          modelConfig: options.modelConfig,
          seed: options.seed,
          noiseSeed: replicaNoiseSeed(options.seed, rank),
          ...(options.resume ? { checkpoint: options.resume.checkpoint } : {}),
          ...(noiseState ? { noiseState } : {}),
          ...(options.clipContrast ? { clipContrast: options.clipContrast } : {}),
          ...(options.hardMismatch ? { hardMismatch: true } : {}),
          ...(options.reconstruction ? { reconstruction: options.reconstruction } : {}),
        }),
      );
    }
    const pool = new ReplicaPool(mean, threads, states);
    try {
      await Promise.all(threads.map((thread) => thread.next()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Replicas in all, rank 0 included. */
  get replicas(): number {
    return this.threads.length + 1;
  }

  /** The replicas' noise states after their last step (ranks 1..), for checkpoints. */
  get noiseStates(): readonly SeededRandomState[] {
    return this.states;
  }

  /**
   * Sends shards 1.. of `batch` to the replicas, which start stepping at once, and returns shard 0 for
   * rank 0's own step (see `replicaShard`). Follow it with rank 0's step, then {@link stepped}.
   */
  dispatch(batch: ReplicaBatch): ReplicaBatch {
    const first = replicaShard(batch, 0, this.replicas);
    this.pending = Promise.all(
      this.threads.map(async (thread, index) => {
        const shard = replicaShard(batch, index + 1, this.replicas);
        thread.worker.postMessage(
          { type: 'step', shard } satisfies ToReplicaMessage,
          replicaBatchBuffers(shard),
        );
        const reply = await thread.next();
        if (reply.type === 'stepped') this.states[index] = reply.noiseState;
      }),
    ).then(() => undefined);
    // A replica that fails first is reported by stepped(); until then its rejection is not unhandled.
    this.pending.catch(() => undefined);
    return first;
  }

  /** Waits for the replicas' steps; rejects with the first replica's error. */
  async stepped(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    await pending;
  }

  /**
   * After rank 0's step threw: the replica's own error when the group was aborted by a replica,
   * else `error`; in both cases the group is aborted so no replica waits for rank 0.
   */
  async failure(error: unknown): Promise<unknown> {
    if (error instanceof ReplicaGroupAborted) {
      try {
        await this.stepped();
      } catch (replicaError) {
        return replicaError;
      }
    }
    this.mean.abort();
    return error;
  }

  /** Stops the replica threads (aborting any step in progress). */
  async close(): Promise<void> {
    if (this.pending) this.mean.abort();
    await Promise.all(
      this.threads.map(async (thread) => {
        if (this.mean.aborted) {
          await thread.worker.terminate();
          return;
        }
        thread.worker.postMessage({ type: 'close' } satisfies ToReplicaMessage);
        try {
          await thread.next();
        } catch {
          // The thread ends either way.
        }
        await thread.worker.terminate();
      }),
    );
  }
}
