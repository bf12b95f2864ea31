import { isBadSampleError } from '../errors';
import type { TextImageDataset } from '../types';
import { BadSampleLog } from './bad-sample-log';
import { mapWithConcurrency } from './map-with-concurrency';

/** Options of {@link scanDataset}. */
export interface ScanDatasetOptions {
  /** Also decode every image (slower, finds corrupt files). Default true. */
  decodeImages?: boolean;
  /** Samples checked at once. Default 8. */
  concurrency?: number;
  /** Called after each sample with the number checked so far. */
  onProgress?: (checked: number, total: number) => void;
}

/**
 * Checks every sample of a dataset before training: caption files present and non-empty and, by
 * default, images decodable. Returns the unusable samples; other errors (no decoder, I/O failures) throw.
 */
export async function scanDataset(
  dataset: TextImageDataset,
  options: ScanDatasetOptions = {},
): Promise<BadSampleLog> {
  const log = new BadSampleLog();
  const decodeImages = options.decodeImages ?? true;
  let checked = 0;
  const indices = Array.from({ length: dataset.size }, (_, i) => i);
  await mapWithConcurrency(indices, options.concurrency ?? 8, async (index) => {
    try {
      await dataset.loadCaptions(index);
      if (decodeImages) await dataset.loadImage(index);
    } catch (error) {
      if (!isBadSampleError(error)) throw error;
      log.record(index, dataset.id(index), error, 0);
    }
    options.onProgress?.(++checked, dataset.size);
  });
  return log;
}
