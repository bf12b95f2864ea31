import { DatasetError } from '../errors';
import { hashString } from '../io/hash';

/** Splits of user data: `all`, or a deterministic `train` / `test` partition by hashed id. */
export type CustomSplit = 'train' | 'test' | 'all';

/** How user data without split labels is partitioned. */
export interface HoldOutOptions {
  /** `all` (default), `train` or `test`. */
  split?: string;
  /**
   * Fraction of samples in `test` when the data carries no split labels, chosen by a hash of each
   * sample's id (its relative path), so the partition is stable when files are added or reordered.
   * Default 0.1.
   */
  testFraction?: number;
}

/** Checks `split` and `testFraction`, naming the option at fault. */
export function checkHoldOut(
  kind: string,
  options: HoldOutOptions,
): { split: CustomSplit; testFraction: number } {
  const split = options.split ?? 'all';
  if (split !== 'train' && split !== 'test' && split !== 'all') {
    throw new DatasetError(
      'bad-option',
      'split',
      `${kind} dataset: split must be train, test or all, got "${split}"`,
    );
  }
  const testFraction = options.testFraction ?? 0.1;
  if (!(testFraction >= 0 && testFraction <= 1)) {
    throw new DatasetError(
      'bad-option',
      'testFraction',
      `${kind} dataset: testFraction must be in [0, 1], got ${testFraction}`,
    );
  }
  return { split, testFraction };
}

/** Whether the sample with this id belongs to the hashed test partition. */
export function isHeldOut(id: string, testFraction: number): boolean {
  return hashString(id) / 0x100000000 < testFraction;
}
