/** An 8-bit RGB image, rows top to bottom, pixels interleaved `[height, width, 3]`. */
export interface RgbImage {
  width: number;
  height: number;
  /** `width * height * 3` bytes, R G B per pixel. */
  data: Uint8Array;
}

/** A rectangle in source pixels: columns `[left, left + width)`, rows `[top, top + height)`. */
export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What a decoder should do with an image after decoding it. */
export interface DecodeRequest {
  /** Computes the crop from the decoded image's size; applied first. Default: no crop. */
  crop?: (width: number, height: number) => CropBox;
  /**
   * Resize (bilinear) so that the short side has this many pixels and the long side
   * `floor(shortSide * long / short)`, as torchvision's `Resize(int)` does. Default: no resize.
   */
  resizeShortSide?: number;
}

/** Turns encoded image bytes (JPEG, PNG, WebP...) into RGB pixels. */
export interface ImageDecoder {
  /**
   * Decodes `bytes`, dropping alpha and converting to sRGB, then crops and resizes per `request`.
   * @param path used in error messages only.
   * @throws DatasetError `corrupt-image` naming `path` when the bytes are not a readable image.
   */
  decode(bytes: Uint8Array, request: DecodeRequest, path: string): Promise<RgbImage>;
}

/** One entry of a directory listing. */
export interface FileEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * Where a dataset's files live: the local disk in Node (`nodeFileSource` from `@ratlip/datasets/node`),
 * a web server or a user-picked folder in a browser (`@ratlip/datasets/browser`). Paths use `/`.
 */
export interface FileSource {
  /** Human-readable description, used in messages. */
  readonly description: string;
  /** The file's bytes, or `undefined` when it does not exist. Other I/O failures throw. */
  read(path: string): Promise<Uint8Array | undefined>;
  /**
   * The entries of a directory, or `undefined` when it does not exist. Optional: sources that cannot
   * list (plain HTTP) leave it out, and the layouts that need it (`folder`) then say so.
   */
  list?(path: string): Promise<FileEntry[] | undefined>;
}

/** The I/O a file-backed dataset needs. */
export interface DatasetIO {
  files: FileSource;
  /** Needed to load images; metadata-only uses (listing ids, reading captions) work without it. */
  decoder?: ImageDecoder;
}

/** Options for loading one image of a dataset. */
export interface ImageLoadOptions {
  /** Resize so the short side has this many pixels (after any dataset crop). Default: no resize. */
  resizeShortSide?: number;
}

/** Files behind one sample, for messages and bad-sample reports. */
export interface SampleLocation {
  id: string;
  imagePath?: string;
  captionPath?: string;
}

/**
 * A text-image dataset: `size` samples, each an image with one or more captions. Samples are loaded
 * on demand; every loader throws a {@link DatasetError} naming the file when a sample is unusable.
 */
export interface TextImageDataset {
  /** Registry kind: `birds`, `flowers`, `faces`, `folder`, `manifest`, `shapes` or a registered one. */
  readonly kind: string;
  /** Which split was opened (`train`, `test`, `all`, or `heldout` for Shapes). */
  readonly split: string;
  /** Number of samples. */
  readonly size: number;
  /**
   * Whether random crops and horizontal flips keep the captions true. False for Shapes, whose
   * captions name positions ("on the left"). Pipelines default their augmentation to this.
   */
  readonly augmentable: boolean;
  /** Stable identifier of sample `index` (a filename key for file datasets). */
  id(index: number): string;
  /** The files behind sample `index`. */
  locate(index: number): SampleLocation;
  /** All captions of sample `index` (non-empty lines). Throws `missing-captions` / `empty-captions`. */
  loadCaptions(index: number): Promise<string[]>;
  /** The image of sample `index` (dataset crops applied). Throws `missing-image` / `corrupt-image`. */
  loadImage(index: number, options?: ImageLoadOptions): Promise<RgbImage>;
}
