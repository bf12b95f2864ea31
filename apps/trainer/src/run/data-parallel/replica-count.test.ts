import { describe, expect, it } from 'vitest';
import { MIN_SHARD, resolveReplicaCount } from './replica-count';

describe('resolveReplicaCount', () => {
  it.each([
    ['auto', 'wasm', 8, 2, 2],
    ['auto', 'wasm', 8, 16, 4],
    ['auto', 'cpu', 6, 4, 3],
    ['auto', 'wasm', 7, 4, 1],
    ['auto', 'wasm', 2, 4, 1],
    ['auto', 'wasm', 8, 1, 1],
    ['auto', 'tensorflow', 8, 8, 1],
    [1, 'wasm', 5, 8, 1],
  ] as const)('%s on %s with a batch of %i and %i cores: %i', (workers, backend, batch, cores, expected) => {
    const replicas = resolveReplicaCount(workers, backend, batch, cores);
    expect(replicas).toBe(expected);
    expect(replicas === 1 || (batch % replicas === 0 && batch / replicas >= MIN_SHARD)).toBe(true);
  });

  it('rejects --workers above 1 on a backend that threads natively', () => {
    expect(() => resolveReplicaCount(2, 'tensorflow', 8, 8)).toThrow(
      '--workers 2: replicas run on the wasm and cpu backends; the tensorflow backend already uses every core, train with --workers 1',
    );
    expect(resolveReplicaCount(1, 'tensorflow', 8, 8)).toBe(1);
  });

  it.each([
    [3, 8],
    [4, 4],
  ])('rejects --workers %i for a batch of %i, naming the option', (workers, batch) => {
    expect(() => resolveReplicaCount(workers, 'wasm', batch, 8)).toThrow(
      `--workers ${workers}: a batch of ${batch} does not split into ${workers} equal shards of at least ${MIN_SHARD} images`,
    );
  });
});
