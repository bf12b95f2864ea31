import { DatasetError } from '../errors';
import { parseCaptionText } from '../io/captions';
import type {
  CropBox,
  DatasetIO,
  ImageLoadOptions,
  RgbImage,
  SampleLocation,
  TextImageDataset,
} from '../types';

/** One sample of a file-backed dataset. */
export interface FileSample {
  /** Stable key (the filename key of the official layouts, the relative path for folders). */
  id: string;
  imagePath: string;
  /** A caption file, read on first use. Exactly one of `captionPath` and `captions` is set. */
  captionPath?: string;
  /** Captions given inline (manifests). */
  captions?: string[];
  /** Crop applied to the decoded image before any resize (the CUB bounding-box crop). */
  crop?: (width: number, height: number) => CropBox;
}

/**
 * A dataset whose samples are image files with captions in text files or inline; the official
 * layouts, folders and manifests all build one of these from their index files.
 */
export class FileDataset implements TextImageDataset {
  readonly augmentable = true;
  private readonly captionCache = new Map<number, string[]>();

  constructor(
    readonly kind: string,
    readonly split: string,
    private readonly samples: readonly FileSample[],
    private readonly io: DatasetIO,
  ) {}

  get size(): number {
    return this.samples.length;
  }

  id(index: number): string {
    return this.sample(index).id;
  }

  locate(index: number): SampleLocation {
    const { id, imagePath, captionPath } = this.sample(index);
    return captionPath === undefined ? { id, imagePath } : { id, imagePath, captionPath };
  }

  async loadCaptions(index: number): Promise<string[]> {
    const cached = this.captionCache.get(index);
    if (cached) return cached;
    const sample = this.sample(index);
    let captions: string[];
    if (sample.captions) {
      captions = sample.captions.map((caption) => caption.trim()).filter((caption) => caption.length > 0);
      if (captions.length === 0) {
        throw new DatasetError(
          'empty-captions',
          sample.imagePath,
          `${sample.imagePath}: the manifest gives this image no non-empty caption`,
        );
      }
    } else {
      const path = sample.captionPath!;
      const bytes = await this.io.files.read(path);
      if (bytes === undefined) {
        throw new DatasetError(
          'missing-captions',
          path,
          `${path}: caption file not found (for image ${sample.imagePath})`,
        );
      }
      captions = parseCaptionText(new TextDecoder('utf-8').decode(bytes));
      if (captions.length === 0) {
        throw new DatasetError('empty-captions', path, `${path}: caption file has no non-empty line`);
      }
    }
    this.captionCache.set(index, captions);
    return captions;
  }

  async loadImage(index: number, options: ImageLoadOptions = {}): Promise<RgbImage> {
    const sample = this.sample(index);
    const decoder = this.io.decoder;
    if (!decoder) {
      throw new DatasetError(
        'bad-option',
        'io.decoder',
        `cannot load ${sample.imagePath}: this ${this.kind} dataset was opened without an image decoder ` +
          '(pass io: nodeDatasetIO() from @ratlip/datasets/node, or an io with a decoder)',
      );
    }
    const bytes = await this.io.files.read(sample.imagePath);
    if (bytes === undefined) {
      throw new DatasetError('missing-image', sample.imagePath, `${sample.imagePath}: image file not found`);
    }
    return decoder.decode(
      bytes,
      {
        ...(sample.crop ? { crop: sample.crop } : {}),
        ...(options.resizeShortSide !== undefined ? { resizeShortSide: options.resizeShortSide } : {}),
      },
      sample.imagePath,
    );
  }

  private sample(index: number): FileSample {
    const sample = this.samples[index];
    if (!Number.isInteger(index) || sample === undefined) {
      throw new RangeError(
        `${this.kind} dataset (${this.split}): index ${index} out of range [0, ${this.size})`,
      );
    }
    return sample;
  }
}
