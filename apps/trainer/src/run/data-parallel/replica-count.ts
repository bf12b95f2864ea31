import { availableParallelism } from 'node:os';
import { CliFailure } from '../../cli-errors';

/** Backends that run one thread each, so replicas on threads add cores (tfjs-node threads natively). */
const SINGLE_THREADED_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

/** Fewest images a replica's shard may have: the mismatched pairs roll the shard's captions by one. */
export const MIN_SHARD = 2;

/**
 * The number of data-parallel replicas a run uses. `auto`: the most, up to the logical cores, that
 * split `batchSize` into equal shards of at least {@link MIN_SHARD} images, on a single-threaded
 * backend; 1 on the others. A number above 1 is checked against the backend and the batch size.
 */
export function resolveReplicaCount(
  workers: number | 'auto',
  backend: string,
  batchSize: number,
  cores = availableParallelism(),
): number {
  const splits = (replicas: number) => batchSize % replicas === 0 && batchSize / replicas >= MIN_SHARD;
  if (workers === 'auto') {
    if (!SINGLE_THREADED_BACKENDS.has(backend)) return 1;
    for (let replicas = Math.min(cores, batchSize); replicas > 1; replicas--) {
      if (splits(replicas)) return replicas;
    }
    return 1;
  }
  if (workers > 1 && !SINGLE_THREADED_BACKENDS.has(backend)) {
    throw new CliFailure(
      `--workers ${workers}: replicas run on the wasm and cpu backends; the ${backend} backend already uses every core, train with --workers 1`,
    );
  }
  if (workers > 1 && !splits(workers)) {
    throw new CliFailure(
      `--workers ${workers}: a batch of ${batchSize} does not split into ${workers} equal shards of at least ${MIN_SHARD} images`,
    );
  }
  return workers;
}
