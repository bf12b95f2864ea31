import { type GaussianStatistics, INCEPTION_FEATURE_DIM, InceptionV3 } from '@ratlip/eval';
import { CliFailure } from '../cli-errors';
import {
  type INCEPTION_CHOICES,
  inceptionConventionOf,
  openInceptionWeights,
} from '../fid/inception-weights';
import { readStatisticsFile } from '../fid/statistics-file';

/** Which Inception-v3 a weights file is: told apart by its classifier (`auto`) or named. */
export type InceptionChoice = 'auto' | keyof typeof INCEPTION_CHOICES;

/** Where the Inception-v3 of FID and KID comes from. */
export interface InceptionWeightsOptions {
  /** `.safetensors` or torch `.pth` state_dict, supplied by the user. */
  path: string;
  /** Weight convention. Default `'auto'`. */
  convention?: InceptionChoice;
}

/**
 * Builds the Inception-v3 pool3 feature extractor (2048-d) from a weights file. A missing file, a file
 * of another format, missing tensors or tensors of the wrong shape are a one-line {@link CliFailure}
 * naming the file. The caller disposes the extractor.
 */
export function loadInceptionExtractor(options: InceptionWeightsOptions): InceptionV3 {
  const weights = openInceptionWeights(options.path);
  try {
    const convention = inceptionConventionOf(weights, options.convention ?? 'auto');
    try {
      return InceptionV3.fromStateDict(weights, { convention });
    } catch (error) {
      throw new CliFailure(
        `--inception-weights ${options.path}: not usable Inception-v3 weights: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } finally {
    weights.close();
  }
}

/**
 * Reads FID reference statistics (`mu [2048]`, `sigma [2048, 2048]`, as `ratlip fid stats` and the
 * official `*_FIDK0.npz` files hold them). Statistics of another width (from another network) are a
 * {@link CliFailure}.
 */
export function readFidReference(path: string): GaussianStatistics {
  const statistics = readStatisticsFile(path);
  if (statistics.dim !== INCEPTION_FEATURE_DIM) {
    throw new CliFailure(
      `--stats ${path}: holds ${statistics.dim}-d statistics (mu [${statistics.dim}]), but FID uses Inception-v3 pool3 features: expected mu [${INCEPTION_FEATURE_DIM}] and sigma [${INCEPTION_FEATURE_DIM}, ${INCEPTION_FEATURE_DIM}] (ratlip fid stats writes them)`,
    );
  }
  return statistics;
}
