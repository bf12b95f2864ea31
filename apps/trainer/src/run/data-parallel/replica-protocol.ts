import type { ClipContrastOptions, ReconstructionOptions, ResolvedRatlipConfig } from '@ratlip/ratlip-gan';
import type { SeededRandomState } from '@ratlip/runtime';
import type { ReplicaBatch } from './replica-batch';

/** What a replica thread starts from (its `workerData`). */
export interface ReplicaWorkerData {
  /** 1 .. replicas - 1 (rank 0 is the main thread). */
  rank: number;
  replicas: number;
  /** Values per slot of the shared mean (the larger parameter count of G and D + C). */
  capacity: number;
  buffer: SharedArrayBuffer;
  /** The concrete backend rank 0 runs on (e.g. `wasm`). */
  backend: string;
  /** The model config of the run (the replica drops the generator average: rank 0 keeps it). */
  modelConfig: ResolvedRatlipConfig;
  /** Seed of the replica's initial weights: the run's seed, so that all replicas start equal. */
  seed: number;
  /** Seed of the replica's noise, when it starts fresh. */
  noiseSeed: number;
  /** The checkpoint the run resumes from, if any. */
  checkpoint?: string;
  /** The replica's noise state saved in that checkpoint, if it has one. */
  noiseState?: SeededRandomState;
  /** The contrastive CLIP term of the run, if on. */
  clipContrast?: ClipContrastOptions;
  /** The run's D also sees hard mismatched pairs (`RatlipTrainerOptions.hardMismatch`). */
  hardMismatch?: boolean;
  /** The paired reconstruction term of the run, if on (`RatlipTrainerOptions.reconstruction`). */
  reconstruction?: ReconstructionOptions;
}

/** One step's shard of the batch for a replica. */
export interface ReplicaStepMessage {
  type: 'step';
  shard: ReplicaBatch;
}

/** Messages from the main thread to a replica. */
export type ToReplicaMessage = ReplicaStepMessage | { type: 'close' };

/** Messages from a replica to the main thread. */
export type FromReplicaMessage =
  | { type: 'ready' }
  | { type: 'stepped'; step: number; noiseState: SeededRandomState }
  | { type: 'failed'; message: string; stack?: string }
  | { type: 'closed' };
