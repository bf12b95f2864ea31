import { describe, expect, it } from 'vitest';
import { groupedOrder } from './grouped-order';

describe('groupedOrder', () => {
  const order = Int32Array.from([5, 0, 7, 2, 9, 4, 1, 8, 3, 6, 10]);
  const parity = (index: number) => (index % 2 === 0 ? 'even' : 'odd');

  it('makes runs of alike samples, in the order of their first sample, leftovers last', () => {
    const grouped = groupedOrder(order, { key: parity, size: 2 });
    expect([...grouped]).toEqual([5, 7, 0, 2, 9, 1, 4, 8, 6, 10, 3]);
    // A permutation of the input: every sample once.
    expect([...grouped].sort((a, b) => a - b)).toEqual([...order].sort((a, b) => a - b));
    for (let run = 0; run + 2 <= 10; run += 2) expect(parity(grouped[run]!)).toBe(parity(grouped[run + 1]!));
  });

  it('is deterministic in its input and leaves the order alone with runs of one', () => {
    expect(groupedOrder(order, { key: parity, size: 3 })).toEqual(
      groupedOrder(order, { key: parity, size: 3 }),
    );
    expect(groupedOrder(order, { key: parity, size: 1 })).toEqual(order);
  });

  it('rejects a group size that is not a positive integer', () => {
    expect(() => groupedOrder(order, { key: parity, size: 0 })).toThrow(
      /group size must be a positive integer, got 0/,
    );
  });
});
