import { type GaussianStatistics, readStatisticsNpz } from '@ratlip/eval';
import { CliFailure, isExpectedError } from '../cli-errors';
import { readFileBytes, requireFile } from '../options/input-files';

/**
 * Reads an FID statistics file (`mu` [d] and `sigma` [d, d] in an `.npz`: the official
 * `*_FIDK0.npz` files, pytorch-fid's or `ratlip fid stats` output). Every problem (missing file,
 * not an `.npz`, missing arrays, inconsistent shapes, non-finite values) is a {@link CliFailure}
 * or a reader error naming the file.
 */
export function readStatisticsFile(path: string): GaussianStatistics {
  requireFile(path, 'statistics file');
  let statistics: GaussianStatistics;
  try {
    statistics = readStatisticsNpz(readFileBytes(path), { source: path });
  } catch (error) {
    if (isExpectedError(error)) throw error;
    throw new CliFailure(error instanceof Error ? error.message : String(error));
  }
  for (const [name, values] of [
    ['mu', statistics.mean],
    ['sigma', statistics.covariance],
  ] as const) {
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new CliFailure(`${path}: ${name} holds ${values[bad]} at flat index ${bad}`);
  }
  return statistics;
}
