import { DatasetError } from '../src/errors';
import type { ImageLoadOptions, RgbImage, SampleLocation, TextImageDataset } from '../src/types';

/**
 * An in-memory dataset for pipeline tests: sample i is a `width x height` image whose pixel (x, y) is
 * `(x, y, i)` (resized by nearest neighbour when asked), with captions `"s<i> c<k>"`. Listed indices
 * fail as the named bad-sample reason. Counts every image load.
 */
export class MemoryDataset implements TextImageDataset {
  readonly kind = 'memory';
  readonly split = 'all';
  readonly augmentable = true;
  imageLoads = 0;

  constructor(
    readonly size: number,
    private readonly options: {
      width?: number;
      height?: number;
      captions?: number;
      corrupt?: number[];
      missingCaptions?: number[];
    } = {},
  ) {}

  id(index: number): string {
    return `s${index}`;
  }

  locate(index: number): SampleLocation {
    return { id: this.id(index), imagePath: `/memory/${index}.jpg`, captionPath: `/memory/${index}.txt` };
  }

  captionsOf(index: number): string[] {
    return Array.from({ length: this.options.captions ?? 3 }, (_, k) => `s${index} c${k}`);
  }

  async loadCaptions(index: number): Promise<string[]> {
    if (this.options.missingCaptions?.includes(index)) {
      throw new DatasetError(
        'missing-captions',
        `/memory/${index}.txt`,
        `/memory/${index}.txt: caption file not found`,
      );
    }
    return this.captionsOf(index);
  }

  async loadImage(index: number, options: ImageLoadOptions = {}): Promise<RgbImage> {
    this.imageLoads++;
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.options.corrupt?.includes(index)) {
      throw new DatasetError(
        'corrupt-image',
        `/memory/${index}.jpg`,
        `/memory/${index}.jpg: cannot decode image`,
      );
    }
    return sourceImage(index, this.options.width ?? 40, this.options.height ?? 30, options.resizeShortSide);
  }
}

/** The image {@link MemoryDataset} returns, resized by nearest neighbour to the torchvision size. */
export function sourceImage(index: number, width: number, height: number, shortSide?: number): RgbImage {
  let outWidth = width;
  let outHeight = height;
  if (shortSide !== undefined) {
    if (width <= height) {
      outWidth = shortSide;
      outHeight = Math.floor((shortSide * height) / width);
    } else {
      outHeight = shortSide;
      outWidth = Math.floor((shortSide * width) / height);
    }
  }
  const data = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const i = (y * outWidth + x) * 3;
      data[i] = Math.floor((x * width) / outWidth);
      data[i + 1] = Math.floor((y * height) / outHeight);
      data[i + 2] = index;
    }
  }
  return { width: outWidth, height: outHeight, data };
}
