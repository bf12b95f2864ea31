import { statSync } from 'node:fs';
import { computeReferenceStatistics, type FeatureMatrix, type ImageFeatureExtractor } from '@ratlip/eval';
import { CliFailure } from '../cli-errors';
import { imageBatches } from '../fid/image-batches';
import { folderImageSource, type ImageSource } from '../fid/image-source';
import { checkDatasetOption } from '../options/dataset-option';

/** Options of {@link openReferenceImages}. */
export interface ReferenceImagesOptions {
  /** An image folder (any depth) or a dataset `kind:path`; a folder of that name wins. */
  spec: string;
  /** Dataset split (ignored for folders). */
  split: string;
  /**
   * Dataset images are resized so their short side has this many pixels (the generator's output
   * size, so real and generated images reach Inception through the same resize); folder images keep
   * their own size.
   */
  imageSize: number;
  /** The option that named `spec`, for messages, e.g. `'--reference'`. */
  flag: string;
}

/** The real images KID compares against: a folder, or a dataset split at the generator's size. */
export async function openReferenceImages(options: ReferenceImagesOptions): Promise<ImageSource> {
  const { spec, split, imageSize, flag } = options;
  if (statSync(spec, { throwIfNoEntry: false })?.isDirectory()) return folderImageSource(spec);
  await checkDatasetOption(spec, flag);
  const { openDataset } = await import('@ratlip/datasets');
  const { nodeDatasetIO } = await import('@ratlip/datasets/node');
  const dataset = await openDataset(spec, { io: nodeDatasetIO(), split, shapes: { imageSize } });
  return {
    description: `${dataset.size} images of ${spec} (${dataset.split} split)`,
    count: dataset.size,
    load: (index) => dataset.loadImage(index, { resizeShortSide: imageSize }),
  };
}

/**
 * Inception features `[count, dim]` of the first `count` images of `source` (KID keeps the rows, not
 * only their moments). Fewer than 2 images is a {@link CliFailure}.
 */
export async function referenceFeatures(
  source: ImageSource,
  count: number,
  extractor: ImageFeatureExtractor,
  batchSize: number,
): Promise<FeatureMatrix> {
  const used = Math.min(count, source.count);
  if (used < 2) throw new CliFailure(`${source.description}: KID needs at least 2 reference images`);
  const { features } = await computeReferenceStatistics({
    batches: imageBatches(source, used, batchSize),
    extractor,
    range: 'zero-to-one',
    keepFeatures: true,
    expectedSamples: used,
  });
  return features!;
}
