import type { BadSampleReason, DatasetError } from '../errors';

/** One unusable sample. */
export interface BadSampleEntry {
  /** Index in the dataset. */
  index: number;
  id: string;
  /** The file at fault. */
  path: string;
  reason: BadSampleReason;
  message: string;
  /** Epoch in which it was first met. */
  firstEpoch: number;
  /** How many times it was skipped (once per epoch that reached it). */
  occurrences: number;
}

/** The samples a pipeline skipped: counted, listed, and serialisable for the run folder. */
export class BadSampleLog {
  private readonly entries = new Map<number, BadSampleEntry>();
  private skips = 0;

  /** Records one skip of sample `index`. */
  record(index: number, id: string, error: DatasetError & { code: BadSampleReason }, epoch: number): void {
    this.skips++;
    const existing = this.entries.get(index);
    if (existing) {
      existing.occurrences++;
      return;
    }
    this.entries.set(index, {
      index,
      id,
      path: error.path,
      reason: error.code,
      message: error.message,
      firstEpoch: epoch,
      occurrences: 1,
    });
  }

  /** Number of distinct samples skipped. */
  get count(): number {
    return this.entries.size;
  }

  /** Total skips, counting a sample again in every epoch. */
  get occurrences(): number {
    return this.skips;
  }

  /** The skipped samples by dataset index. */
  list(): BadSampleEntry[] {
    return [...this.entries.values()].sort((a, b) => a.index - b.index).map((entry) => ({ ...entry }));
  }

  /** `{count, occurrences, samples}`, what the trainer writes to `bad-samples.json` in the run folder. */
  toJSON(): { count: number; occurrences: number; samples: BadSampleEntry[] } {
    return { count: this.count, occurrences: this.occurrences, samples: this.list() };
  }
}
