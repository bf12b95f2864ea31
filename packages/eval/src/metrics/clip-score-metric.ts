import { CLIP_SCORE_PREPROCESSINGS, clipScorePreprocessing } from '../clip-score/clip-score-preprocessing';
import { type ClipScoresOptions, clipScores } from '../clip-score/clip-scores';
import type { MetricAccumulator, MetricBatch, MetricDefinition, MetricReport } from './metric';

/**
 * How per-image scores become one figure:
 * - `'batch-means'`: mean of each batch, then mean over batches (the reference's evaluation, which
 *   drops the last incomplete batch so both averagings agree there);
 * - `'images'`: mean over all images.
 */
export type ClipScoreAveraging = 'batch-means' | 'images';

/** Options of the `clip-score` metric. */
export interface ClipScoreMetricOptions extends ClipScoresOptions {
  /** Name of the CLIP weights for the report, e.g. `'ViT-B-32.pt (OpenAI)'`. */
  weightsName: string;
  /** Default `'batch-means'` (the reference's). */
  averaging?: ClipScoreAveraging;
}

const AVERAGINGS: readonly ClipScoreAveraging[] = ['batch-means', 'images'];

class ClipScoreAccumulator implements MetricAccumulator {
  private readonly batchMeans: number[] = [];
  private readonly batchSizes = new Set<number>();
  private count = 0;
  private sum = 0;
  private sumOfSquares = 0;

  constructor(private readonly options: ClipScoreMetricOptions) {
    clipScorePreprocessing(options.preprocessing ?? 'ratlip-reference');
    if (!AVERAGINGS.includes(options.averaging ?? 'batch-means')) {
      throw new Error(
        `clip-score: unknown averaging '${options.averaging}'; expected one of ${AVERAGINGS.join(', ')}`,
      );
    }
    if (!options.weightsName) throw new Error('clip-score: weightsName must name the CLIP weights');
  }

  async update(batch: MetricBatch): Promise<void> {
    if (!batch.captions) {
      throw new Error('clip-score: every batch needs captions (EvalBatch.captions), one per image');
    }
    const scores = await clipScores(batch.images, batch.captions, this.options);
    if (scores.length === 0) return;
    let batchSum = 0;
    for (const score of scores) {
      batchSum += score;
      this.sumOfSquares += score * score;
    }
    this.sum += batchSum;
    this.count += scores.length;
    this.batchMeans.push(batchSum / scores.length);
    this.batchSizes.add(scores.length);
  }

  async finish(): Promise<MetricReport> {
    const { model, weightsName } = this.options;
    const preprocessing = this.options.preprocessing ?? 'ratlip-reference';
    const averaging = this.options.averaging ?? 'batch-means';
    const imageMean = this.count > 0 ? this.sum / this.count : 0;
    const batchMeanAverage =
      this.batchMeans.length > 0 ? this.batchMeans.reduce((a, b) => a + b, 0) / this.batchMeans.length : 0;
    const variance =
      this.count > 1 ? (this.sumOfSquares - this.count * imageMean * imageMean) / (this.count - 1) : 0;
    const notes: string[] = [];
    if (averaging === 'batch-means' && this.batchSizes.size > 1) {
      notes.push(
        `batches of unequal sizes (${[...this.batchSizes].join(', ')}): the mean of batch means differs from the mean over images (breakdown.imageMean)`,
      );
    }
    if (preprocessing === 'ratlip-reference') {
      notes.push(
        'comparable with published RATLIP/GALIP CLIP scores only with the same CLIP (ViT-B/32); when that CLIP also trained the generator the figure is inflated',
      );
    }
    const { vision, text } = model.config;
    return {
      metric: 'clip-score',
      value: averaging === 'batch-means' ? batchMeanAverage : imageMean,
      sampleCount: this.count,
      settings: {
        clipWeights: weightsName,
        clipImageSize: vision.imageSize,
        clipPatchSize: vision.patchSize,
        clipVisionWidth: vision.width,
        clipVisionLayers: vision.layers,
        clipTextWidth: text.width,
        clipEmbedDim: vision.embedDim,
        preprocessing,
        preprocessingSteps: CLIP_SCORE_PREPROCESSINGS[preprocessing].description,
        tokenizer: `clip.tokenize(truncate=True), context ${text.contextLength}`,
        score: '100 * cos(image embedding, text embedding); no clamp at 0, no 2.5 weight',
        averaging,
      },
      breakdown: {
        batchMeanAverage,
        imageMean,
        imageStd: Math.sqrt(Math.max(0, variance)),
        batches: this.batchMeans.length,
      },
      notes,
    };
  }
}

/** CLIP score: cosine similarity x 100 between generated images and their captions. */
export const clipScoreMetric: MetricDefinition<ClipScoreMetricOptions> = {
  name: 'clip-score',
  summary: 'CLIP score: 100 x cosine of CLIP image and caption embeddings (higher is better)',
  create: (options) => new ClipScoreAccumulator(options),
};
