import { SeededRandom } from '@ratlip/runtime';
import { DatasetError } from '../errors';
import { mixSeed } from '../io/hash';
import type { ImageLoadOptions, RgbImage, SampleLocation, TextImageDataset } from '../types';
import { describeShapesSceneWithSwaps, type ShapesCaptionWithSwaps } from './captions';
import { renderShapesScene } from './rasterizer';
import { type ShapesSceneOptions, sampleShapesScene } from './scene-sampler';
import {
  SHAPES_BACKGROUNDS,
  SHAPES_DEFAULT_JITTER,
  SHAPES_HELD_OUT,
  type ShapesBackground,
  type ShapesCombination,
  type ShapesScene,
} from './vocabulary';

/** Splits of Shapes: `train` and `test` never contain a held-out combination; every `heldout` sample does. */
export const SHAPES_SPLITS = ['train', 'test', 'heldout'] as const;
export type ShapesSplit = (typeof SHAPES_SPLITS)[number];

/** Default number of samples per split. */
export const SHAPES_DEFAULT_SPLIT_SIZES: Readonly<Record<ShapesSplit, number>> = {
  train: 10_000,
  test: 1_000,
  heldout: 1_000,
};

/** Stream identifiers mixed into per-sample seeds so splits never share samples. */
const SPLIT_STREAM: Readonly<Record<ShapesSplit, number>> = { train: 1, test: 2, heldout: 3 };

/** Options of {@link ShapesDataset}. */
export interface ShapesDatasetOptions {
  /** Seed of the whole dataset; the same seed gives the same bytes everywhere. Default 0. */
  seed?: number;
  /** `train` (default), `test` (same distribution, different samples) or `heldout` (compositional test). */
  split?: string;
  /** Number of samples. Default {@link SHAPES_DEFAULT_SPLIT_SIZES} of the split. */
  size?: number;
  /** Image side in pixels, 32-256. Default 64. */
  imageSize?: number;
  /** Most objects per image, 1 or 2. Default 2. */
  maxObjects?: 1 | 2;
  /** Probability of two objects when `maxObjects` is 2. Default 0.5. */
  twoObjectProbability?: number;
  /** Backgrounds to draw from. Default `['plain', 'noisy']`. */
  backgrounds?: readonly ShapesBackground[];
  /** Largest centre offset from the nominal position, fraction of the side. Default 0.015. */
  jitter?: number;
  /** Combinations held out of train/test. Default {@link SHAPES_HELD_OUT}. */
  heldOut?: readonly ShapesCombination[];
  /** Captions generated per image. Default 10 (as the CUB captions). */
  captionsPerImage?: number;
}

function optionError(option: string, message: string): DatasetError {
  return new DatasetError('bad-option', option, `shapes dataset: ${option} ${message}`);
}

/**
 * Shapes: a procedural text-to-image dataset. Sample `i` is a pure function of `(seed, split, i)`:
 * one or two flat-coloured shapes on a grey background, captions from templates with synonyms, and the
 * true attributes ({@link ShapesDataset.scene}). Images are rendered on demand at any size, so no data
 * is stored. Captions name positions, so the dataset is not `augmentable` (a flip would swap left and right).
 */
export class ShapesDataset implements TextImageDataset {
  readonly kind = 'shapes';
  readonly augmentable = false;
  readonly split: ShapesSplit;
  readonly size: number;
  readonly seed: number;
  readonly imageSize: number;
  readonly captionsPerImage: number;
  private readonly sceneOptions: ShapesSceneOptions;

  constructor(options: ShapesDatasetOptions = {}) {
    const split = options.split ?? 'train';
    if (!(SHAPES_SPLITS as readonly string[]).includes(split)) {
      throw optionError('split', `must be one of ${SHAPES_SPLITS.join(', ')}, got "${split}"`);
    }
    this.split = split as ShapesSplit;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.seed)) throw optionError('seed', `must be an integer, got ${this.seed}`);
    this.size = options.size ?? SHAPES_DEFAULT_SPLIT_SIZES[this.split];
    if (!Number.isInteger(this.size) || this.size < 1)
      throw optionError('size', `must be a positive integer, got ${this.size}`);
    this.imageSize = options.imageSize ?? 64;
    if (!Number.isInteger(this.imageSize) || this.imageSize < 32 || this.imageSize > 256) {
      throw optionError('imageSize', `must be an integer from 32 to 256, got ${this.imageSize}`);
    }
    this.captionsPerImage = options.captionsPerImage ?? 10;
    if (!Number.isInteger(this.captionsPerImage) || this.captionsPerImage < 1) {
      throw optionError('captionsPerImage', `must be a positive integer, got ${this.captionsPerImage}`);
    }
    const maxObjects = options.maxObjects ?? 2;
    if (maxObjects !== 1 && maxObjects !== 2)
      throw optionError('maxObjects', `must be 1 or 2, got ${maxObjects}`);
    const twoObjectProbability = options.twoObjectProbability ?? 0.5;
    if (!(twoObjectProbability >= 0 && twoObjectProbability <= 1)) {
      throw optionError('twoObjectProbability', `must be in [0, 1], got ${twoObjectProbability}`);
    }
    const backgrounds = options.backgrounds ?? SHAPES_BACKGROUNDS;
    if (backgrounds.length === 0 || backgrounds.some((kind) => !SHAPES_BACKGROUNDS.includes(kind))) {
      throw optionError('backgrounds', `must be a non-empty list of ${SHAPES_BACKGROUNDS.join(', ')}`);
    }
    const jitter = options.jitter ?? SHAPES_DEFAULT_JITTER;
    if (!(jitter >= 0 && jitter <= 0.03)) throw optionError('jitter', `must be in [0, 0.03], got ${jitter}`);
    const heldOut = options.heldOut ?? SHAPES_HELD_OUT;
    if (this.split === 'heldout' && heldOut.length === 0) {
      throw optionError('heldOut', 'is empty, so the heldout split has nothing to hold');
    }
    this.sceneOptions = { maxObjects, twoObjectProbability, backgrounds, jitter, heldOut };
  }

  /** The held-out combinations of this dataset. */
  get heldOut(): readonly ShapesCombination[] {
    return this.sceneOptions.heldOut;
  }

  id(index: number): string {
    this.check(index);
    return `shapes-${this.split}-${this.seed}-${index}`;
  }

  locate(index: number): SampleLocation {
    return { id: this.id(index) };
  }

  /** The true attributes and placement of sample `index`. */
  scene(index: number): ShapesScene {
    this.check(index);
    const rng = new SeededRandom(mixSeed(this.seed, SPLIT_STREAM[this.split], index, 0));
    return sampleShapesScene(rng, this.sceneOptions, this.split === 'heldout');
  }

  /** The captions of sample `index` (`captionsPerImage` of them, deterministic). */
  captions(index: number): string[] {
    return this.captionsWithSwaps(index).map(({ caption }) => caption);
  }

  /**
   * The captions of sample `index` (the same as {@link captions}), each with its attribute-swapped
   * variants: hard negatives that name the same words but bind them to the other object.
   */
  captionsWithSwaps(index: number): ShapesCaptionWithSwaps[] {
    const scene = this.scene(index);
    const rng = new SeededRandom(mixSeed(this.seed, SPLIT_STREAM[this.split], index, 1));
    return Array.from({ length: this.captionsPerImage }, () => describeShapesSceneWithSwaps(scene, rng));
  }

  /** Sample `index` drawn at `imageSize` (default: the dataset's). */
  render(index: number, imageSize = this.imageSize): RgbImage {
    return renderShapesScene(this.scene(index), imageSize);
  }

  async loadCaptions(index: number): Promise<string[]> {
    return this.captions(index);
  }

  /** Renders at `resizeShortSide` when given (drawing at the target size is sharper than resizing). */
  async loadImage(index: number, options: ImageLoadOptions = {}): Promise<RgbImage> {
    return this.render(index, options.resizeShortSide ?? this.imageSize);
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`shapes dataset (${this.split}): index ${index} out of range [0, ${this.size})`);
    }
  }
}
