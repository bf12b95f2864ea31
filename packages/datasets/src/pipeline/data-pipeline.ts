import { SeededRandom, type SeededRandomState } from '@ratlip/runtime';
import { DatasetError, isBadSampleError } from '../errors';
import type { RgbImage, TextImageDataset } from '../types';
import { BadSampleLog } from './bad-sample-log';
import { centreCropPlacement, randomCropPlacement, writeCropNormalised } from './crop-normalise';
import { DRAWS_PER_SLOT, type EpochPlan, planEpoch } from './epoch-plan';
import { groupedOrder, type SampleGrouping } from './grouped-order';
import { mapWithConcurrency } from './map-with-concurrency';
import { referenceResizeShortSide } from './resize-size';

/** Turns captions into token ids: `texts.length * contextLength` ids, row-major `[batch, contextLength]`. */
export type CaptionTokenizer = (texts: string[]) => Int32Array;

/** Options of {@link DataPipeline}. */
export interface DataPipelineOptions {
  dataset: TextImageDataset;
  /** Images per batch. */
  batchSize: number;
  /** Side of the square output images in pixels. Default 256. */
  imageSize?: number;
  /**
   * Random crop and horizontal flip as the official loaders (train and test alike). Default
   * `dataset.augmentable` (false for Shapes, whose captions name positions). When false, images are
   * resized to `imageSize` on the short side and centre-cropped.
   */
  augment?: boolean;
  /**
   * Short side before the crop, in pixels. Default `floor(imageSize * 76 / 64)` (304 for 256) when
   * augmenting, `imageSize` otherwise.
   */
  resizeShortSide?: number;
  /** Random horizontal flip (p = 0.5) when augmenting. Default true. */
  flip?: boolean;
  /** Caption tokenizer (for example CLIP's, 77 tokens). Default: none, batches carry text only. */
  tokenize?: CaptionTokenizer;
  /** Seed of the order and augmentation. Default 0. */
  seed?: number;
  /** Visit samples in a fresh random order each epoch. Default true. */
  shuffle?: boolean;
  /** Drop an epoch's last incomplete batch, as the official loaders do. Default true. */
  dropLast?: boolean;
  /**
   * Visit samples in runs of `size` that share `key(index)` (see `groupedOrder`): batches of a few
   * groups of alike samples, hard negatives for contrastive training. Default: no grouping.
   */
  group?: SampleGrouping;
  /** Batches prepared ahead in the background. Default 2. */
  prefetch?: number;
  /** Images decoded at once. Default 4. */
  concurrency?: number;
  /**
   * What to do with a sample whose image or caption file is missing, corrupt or empty: `'error'` stops
   * with an error naming the file; `'skip'` leaves it out, fills the batch with the next samples and
   * records it in {@link DataPipeline.badSamples}. Default `'error'`.
   */
  onBadSample?: 'skip' | 'error';
  /** Stop after this many epochs (counted from 0, so resuming keeps the total). Default: never. */
  maxEpochs?: number;
  /** Start from a saved {@link PipelineState} instead of the beginning. */
  resume?: PipelineState;
}

/**
 * Where a pipeline stands. Saving it with a checkpoint and passing it to `resume` (or
 * {@link DataPipeline.resumeFrom}) yields exactly the batches that would have followed.
 */
export interface PipelineState {
  /** Current epoch, from 0. */
  epoch: number;
  /** Next slot of the epoch's order to read. */
  position: number;
  /** Batches already produced in this epoch (positions and batches differ once samples are skipped). */
  batchInEpoch: number;
  /** Generator state at the start of `epoch`; the epoch's order and draws are replayed from it. */
  epochRngState: SeededRandomState;
  /** Dataset size the state was made with; resuming on a different size is refused. */
  datasetSize: number;
}

/** One batch, ready for the model. */
export interface DataBatch {
  /** `[batch, imageSize, imageSize, 3]` floats in [-1, 1], channels last. */
  images: Float32Array;
  /** `[batch, contextLength]` token ids when a tokenizer was given. */
  tokens?: Int32Array;
  /** Token sequence length (`tokens.length / batch`), 0 without a tokenizer. */
  contextLength: number;
  /** The caption chosen for each image. */
  captions: string[];
  /** Dataset indices and ids of the images. */
  indices: number[];
  ids: string[];
  /** Images in this batch (equals `batchSize` unless `dropLast` is false). */
  size: number;
  imageSize: number;
  epoch: number;
  /** Index of this batch within its epoch. */
  batchInEpoch: number;
  /** The state right after this batch: resuming from it continues with the next batch. */
  stateAfter: PipelineState;
}

interface LoadedItem {
  index: number;
  caption: string;
  image: RgbImage;
  /** Uniforms of the crop offsets and the flip. */
  cropX: number;
  cropY: number;
  flip: boolean;
}

type Settled = { ok: true; item: LoadedItem } | { ok: false; index: number; error: unknown };

function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new DatasetError(
      'bad-option',
      name,
      `data pipeline: ${name} must be an integer >= ${min}, got ${value}`,
    );
  }
  return value;
}

/**
 * The training input pipeline: seeded order, one random caption per image per epoch, the reference
 * augmentation (resize the short side, random crop, random flip, map to [-1, 1]), tokenization and
 * batching, with batches prepared in the background (`prefetch`) while the model trains.
 *
 * @example
 * ```ts
 * const pipeline = new DataPipeline({ dataset, batchSize: 32, imageSize: 256, tokenize, seed: 1 });
 * for await (const batch of pipeline) {
 *   const { images, tokens } = batchToTensors(batch);
 *   // ... train, then save batch.stateAfter with the checkpoint
 * }
 * ```
 */
export class DataPipeline implements AsyncIterable<DataBatch> {
  readonly dataset: TextImageDataset;
  readonly batchSize: number;
  readonly imageSize: number;
  readonly augment: boolean;
  readonly resizeShortSide: number;
  readonly flip: boolean;
  readonly shuffle: boolean;
  /** The sample grouping of {@link DataPipelineOptions.group}, if any. */
  readonly group: SampleGrouping | undefined;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly concurrency: number;
  readonly onBadSample: 'skip' | 'error';
  readonly maxEpochs: number;
  /** Samples skipped so far (`onBadSample: 'skip'`). */
  readonly badSamples = new BadSampleLog();
  private readonly tokenize: CaptionTokenizer | undefined;

  private generation = 0;
  private queue: DataBatch[] = [];
  private failure: { error: unknown } | undefined;
  private finished = false;
  private consumed: PipelineState;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(options: DataPipelineOptions) {
    this.dataset = options.dataset;
    this.batchSize = requireInteger('batchSize', options.batchSize, 1);
    this.imageSize = requireInteger('imageSize', options.imageSize ?? 256, 1);
    this.augment = options.augment ?? this.dataset.augmentable;
    this.resizeShortSide = requireInteger(
      'resizeShortSide',
      options.resizeShortSide ?? (this.augment ? referenceResizeShortSide(this.imageSize) : this.imageSize),
      this.imageSize,
    );
    this.flip = this.augment && (options.flip ?? true);
    this.shuffle = options.shuffle ?? true;
    this.group = options.group;
    this.dropLast = options.dropLast ?? true;
    this.prefetch = requireInteger('prefetch', options.prefetch ?? 2, 1);
    this.concurrency = requireInteger('concurrency', options.concurrency ?? 4, 1);
    this.onBadSample = options.onBadSample ?? 'error';
    if (this.onBadSample !== 'skip' && this.onBadSample !== 'error') {
      throw new DatasetError(
        'bad-option',
        'onBadSample',
        `data pipeline: onBadSample must be 'skip' or 'error', got "${String(this.onBadSample)}"`,
      );
    }
    this.maxEpochs = options.maxEpochs ?? Number.POSITIVE_INFINITY;
    if (!(this.maxEpochs >= 0))
      throw new DatasetError(
        'bad-option',
        'maxEpochs',
        `data pipeline: maxEpochs must be >= 0, got ${this.maxEpochs}`,
      );
    this.tokenize = options.tokenize;
    if (this.dataset.size === 0 || (this.dropLast && this.dataset.size < this.batchSize)) {
      throw new DatasetError(
        'bad-option',
        'batchSize',
        `data pipeline: the ${this.dataset.kind} dataset (${this.dataset.split}) has ${this.dataset.size} samples, ` +
          `fewer than one batch of ${this.batchSize}`,
      );
    }
    this.consumed = {
      epoch: 0,
      position: 0,
      batchInEpoch: 0,
      epochRngState: new SeededRandom(options.seed ?? 0).getState(),
      datasetSize: this.dataset.size,
    };
    if (options.resume) this.resumeFrom(options.resume);
    else this.start(this.consumed);
  }

  /** Full batches per epoch (an upper bound when samples are skipped). */
  get batchesPerEpoch(): number {
    return this.dropLast
      ? Math.floor(this.dataset.size / this.batchSize)
      : Math.ceil(this.dataset.size / this.batchSize);
  }

  /** The state after the last batch handed out (the start state before the first). */
  get state(): PipelineState {
    return { ...this.consumed, epochRngState: [...this.consumed.epochRngState] };
  }

  /** Batches prepared and waiting. */
  get bufferedBatches(): number {
    return this.queue.length;
  }

  /**
   * The next batch, or `undefined` after `maxEpochs`. Rejects with the error that stopped the
   * background work (for example a {@link DatasetError} naming a corrupt file).
   */
  async nextBatch(): Promise<DataBatch | undefined> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        this.consumed = batch.stateAfter;
        this.wake('producer');
        return batch;
      }
      if (this.failure) throw this.failure.error;
      if (this.finished) return undefined;
      await new Promise<void>((resolve) => {
        this.wakeConsumer = resolve;
      });
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DataBatch> {
    for (;;) {
      const batch = await this.nextBatch();
      if (!batch) return;
      yield batch;
    }
  }

  /** Drops prepared batches and continues from `state` (a {@link DataBatch.stateAfter} or {@link state}). */
  resumeFrom(state: PipelineState): void {
    if (
      !state ||
      !Number.isInteger(state.epoch) ||
      state.epoch < 0 ||
      !Number.isInteger(state.position) ||
      state.position < 0 ||
      !Number.isInteger(state.batchInEpoch) ||
      state.batchInEpoch < 0 ||
      state.position > this.dataset.size ||
      !Array.isArray(state.epochRngState)
    ) {
      throw new DatasetError(
        'bad-resume-state',
        'state',
        `data pipeline: not a valid pipeline state: ${JSON.stringify(state)}`,
      );
    }
    if (state.datasetSize !== this.dataset.size) {
      throw new DatasetError(
        'bad-resume-state',
        'state.datasetSize',
        `data pipeline: the state was saved with a dataset of ${state.datasetSize} samples, this one has ${this.dataset.size}`,
      );
    }
    try {
      new SeededRandom(0).setState(state.epochRngState);
    } catch (error) {
      throw new DatasetError(
        'bad-resume-state',
        'state.epochRngState',
        `data pipeline: ${(error as Error).message}`,
      );
    }
    this.consumed = { ...state, epochRngState: [...state.epochRngState] };
    this.start(this.consumed);
  }

  /** Stops the background work and drops prepared batches. */
  close(): void {
    this.generation++;
    this.queue = [];
    this.finished = true;
    this.wake('producer');
    this.wake('consumer');
  }

  private wake(side: 'producer' | 'consumer'): void {
    const resolve = side === 'producer' ? this.wakeProducer : this.wakeConsumer;
    if (side === 'producer') this.wakeProducer = undefined;
    else this.wakeConsumer = undefined;
    resolve?.();
  }

  private start(state: PipelineState): void {
    const generation = ++this.generation;
    this.queue = [];
    this.failure = undefined;
    this.finished = false;
    this.wake('producer');
    this.produce(generation, state).then(
      () => {
        if (generation !== this.generation) return;
        this.finished = true;
        this.wake('consumer');
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.failure = { error };
        this.wake('consumer');
      },
    );
  }

  private async produce(generation: number, state: PipelineState): Promise<void> {
    let { epoch, position, epochRngState, batchInEpoch } = state;
    const size = this.dataset.size;
    while (epoch < this.maxEpochs) {
      const planned = planEpoch(epochRngState, size, this.shuffle);
      const plan = this.group ? { ...planned, order: groupedOrder(planned.order, this.group) } : planned;
      const epochStart = position;
      let produced = 0;
      while (position < size) {
        while (this.queue.length >= this.prefetch) {
          await new Promise<void>((resolve) => {
            this.wakeProducer = resolve;
          });
          if (generation !== this.generation) return;
        }
        const { items, nextPosition } = await this.loadItems(generation, plan, epoch, position);
        if (generation !== this.generation) return;
        position = nextPosition;
        if (items.length === 0 || (items.length < this.batchSize && this.dropLast)) break;
        const stateAfter: PipelineState = {
          epoch,
          position,
          batchInEpoch: batchInEpoch + 1,
          epochRngState,
          datasetSize: size,
        };
        this.queue.push(this.assemble(items, epoch, batchInEpoch, stateAfter));
        batchInEpoch++;
        produced++;
        this.wake('consumer');
      }
      if (produced === 0 && epochStart === 0) {
        throw new DatasetError(
          'bad-option',
          'onBadSample',
          `data pipeline: epoch ${epoch} of the ${this.dataset.kind} dataset produced no batch ` +
            `(${this.badSamples.count} of ${size} samples are unusable)`,
        );
      }
      epoch++;
      position = 0;
      batchInEpoch = 0;
      epochRngState = plan.nextState;
    }
  }

  /** Loads slots from `position` until a batch is full or the epoch ends, skipping or throwing on bad samples. */
  private async loadItems(
    generation: number,
    plan: EpochPlan,
    epoch: number,
    position: number,
  ): Promise<{ items: LoadedItem[]; nextPosition: number }> {
    const items: LoadedItem[] = [];
    let cursor = position;
    while (items.length < this.batchSize && cursor < plan.order.length) {
      const slots: number[] = [];
      const end = Math.min(plan.order.length, cursor + this.batchSize - items.length);
      for (; cursor < end; cursor++) slots.push(cursor);
      const settled = await mapWithConcurrency(slots, this.concurrency, (slot) => this.loadSlot(plan, slot));
      // A producer replaced by resumeFrom/close must not record skips into the log.
      if (generation !== this.generation) return { items: [], nextPosition: cursor };
      for (const result of settled) {
        if (result.ok) {
          items.push(result.item);
        } else if (this.onBadSample === 'skip' && isBadSampleError(result.error)) {
          this.badSamples.record(result.index, this.dataset.id(result.index), result.error, epoch);
        } else {
          throw result.error;
        }
      }
    }
    return { items, nextPosition: cursor };
  }

  private async loadSlot(plan: EpochPlan, slot: number): Promise<Settled> {
    const index = plan.order[slot]!;
    try {
      const captions = await this.dataset.loadCaptions(index);
      const caption = captions[Math.floor(plan.draws[slot * DRAWS_PER_SLOT]! * captions.length)]!;
      const image = await this.dataset.loadImage(index, { resizeShortSide: this.resizeShortSide });
      if (image.width < this.imageSize || image.height < this.imageSize) {
        throw new Error(
          `${this.dataset.kind} dataset returned a ${image.width}x${image.height} image for sample ${index}, ` +
            `smaller than the ${this.imageSize}px crop`,
        );
      }
      const draw = slot * DRAWS_PER_SLOT;
      return {
        ok: true,
        item: {
          index,
          caption,
          image,
          cropX: plan.draws[draw + 1]!,
          cropY: plan.draws[draw + 2]!,
          flip: this.flip && plan.draws[draw + 3]! < 0.5,
        },
      };
    } catch (error) {
      return { ok: false, index, error };
    }
  }

  private assemble(
    items: LoadedItem[],
    epoch: number,
    batchInEpoch: number,
    stateAfter: PipelineState,
  ): DataBatch {
    const pixelsPerImage = this.imageSize * this.imageSize * 3;
    const images = new Float32Array(items.length * pixelsPerImage);
    items.forEach((item, i) => {
      const placement = this.augment
        ? randomCropPlacement(item.image, this.imageSize, item.cropX, item.cropY, item.flip)
        : centreCropPlacement(item.image, this.imageSize);
      writeCropNormalised(item.image, this.imageSize, placement, images, i * pixelsPerImage);
    });
    const captions = items.map((item) => item.caption);
    const batch: DataBatch = {
      images,
      contextLength: 0,
      captions,
      indices: items.map((item) => item.index),
      ids: items.map((item) => this.dataset.id(item.index)),
      size: items.length,
      imageSize: this.imageSize,
      epoch,
      batchInEpoch,
      stateAfter,
    };
    if (this.tokenize) {
      const tokens = this.tokenize(captions);
      if (!(tokens instanceof Int32Array) || tokens.length === 0 || tokens.length % items.length !== 0) {
        throw new DatasetError(
          'bad-option',
          'tokenize',
          `data pipeline: tokenize must return an Int32Array of batch * contextLength ids; got ` +
            `${tokens?.constructor?.name} of length ${tokens?.length} for ${items.length} captions`,
        );
      }
      batch.tokens = tokens;
      batch.contextLength = tokens.length / items.length;
    }
    return batch;
  }
}
