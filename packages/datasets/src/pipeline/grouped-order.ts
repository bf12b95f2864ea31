/** How a {@link groupedOrder} groups samples. */
export interface SampleGrouping {
  /** The group of dataset sample `index` (e.g. a Shapes scene's colour and size). */
  key: (index: number) => string;
  /** Consecutive samples per run of one group, at least 1. */
  size: number;
}

/**
 * Rearranges an epoch's visiting order into runs of `grouping.size` samples sharing a key, so every
 * batch is made of a few groups of alike samples. For contrastive training these are hard negatives:
 * when a batch's captions cannot be told apart by colour alone, the model must learn the rest.
 * Deterministic in `order` (a resumed pipeline replays it exactly) and a permutation of it: each
 * sample is still visited once. Runs come in the order of their first sample in `order`, which is
 * random when `order` is; the groups' leftovers (runs shorter than `size`) come last.
 */
export function groupedOrder(order: Int32Array, grouping: SampleGrouping): Int32Array {
  if (!Number.isInteger(grouping.size) || grouping.size < 1) {
    throw new Error(`data pipeline: group size must be a positive integer, got ${grouping.size}`);
  }
  const open = new Map<string, { start: number; members: number[] }>();
  const runs: { start: number; members: number[] }[] = [];
  order.forEach((index, slot) => {
    const key = grouping.key(index);
    let run = open.get(key);
    if (!run) {
      run = { start: slot, members: [] };
      open.set(key, run);
    }
    run.members.push(index);
    if (run.members.length === grouping.size) {
      runs.push(run);
      open.delete(key);
    }
  });
  runs.sort((a, b) => a.start - b.start);
  const leftovers = [...open.values()].sort((a, b) => a.start - b.start);
  return Int32Array.from([...runs, ...leftovers].flatMap((run) => run.members));
}
