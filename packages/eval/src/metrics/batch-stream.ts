import * as tf from '@tensorflow/tfjs';
import type { ImageFeatureExtractor } from '../features/feature-extractor';
import { type ImageRange, imageRange } from './image-range';
import type { EvalBatch, MetricBatch } from './metric';

/** Progress of a streamed evaluation. */
export interface EvaluationProgress {
  /** Images processed so far. */
  samples: number;
  /** Images expected in total, when the caller said. */
  expectedSamples?: number;
  batches: number;
  elapsedSeconds: number;
  samplesPerSecond: number;
}

/** Options of {@link streamBatches}. */
export interface StreamBatchesOptions {
  /** Range of the incoming images. */
  range: ImageRange;
  /** Dispose each batch's `images` once processed. */
  disposeInputs: boolean;
  expectedSamples?: number;
  onProgress?: (progress: EvaluationProgress) => void;
}

function checkBatch(batch: EvalBatch, index: number): void {
  const { images, captions } = batch;
  if (images?.rank !== 4 || images.shape[3] !== 3) {
    throw new Error(
      `batch ${index}: images must be a [batch, height, width, 3] tensor, got shape [${images?.shape?.join(', ')}]`,
    );
  }
  if (captions && captions.length !== images.shape[0]) {
    throw new Error(`batch ${index}: ${captions.length} captions for ${images.shape[0]} images`);
  }
}

/** A {@link MetricBatch} over images already in [0, 1], memoising features per extractor. */
function metricBatch(images: tf.Tensor4D, captions: readonly string[] | undefined): MetricBatch {
  const cache = new Map<ImageFeatureExtractor, Promise<Float32Array>>();
  const size = images.shape[0];
  return {
    size,
    images,
    captions,
    features(extractor) {
      let pending = cache.get(extractor);
      if (!pending) {
        pending = (async () => {
          const features = extractor.extract(images);
          try {
            if (features.shape[0] !== size || features.shape[1] !== extractor.dim) {
              throw new Error(
                `feature extractor ${extractor.id} returned shape [${features.shape.join(', ')}], expected [${size}, ${extractor.dim}]`,
              );
            }
            return (await features.data()) as Float32Array;
          } finally {
            features.dispose();
          }
        })();
        cache.set(extractor, pending);
      }
      return pending;
    },
  };
}

/**
 * Runs `consume` on every batch of `batches` (images mapped to [0, 1]), one batch in memory at a
 * time, reporting progress after each. Returns the number of images seen.
 */
export async function streamBatches(
  batches: AsyncIterable<EvalBatch> | Iterable<EvalBatch>,
  options: StreamBatchesOptions,
  consume: (batch: MetricBatch) => Promise<void>,
): Promise<number> {
  const range = imageRange(options.range);
  const started = performance.now();
  let samples = 0;
  let index = 0;
  for await (const batch of batches) {
    checkBatch(batch, index);
    const unit = range.toUnit(batch.images);
    try {
      await consume(metricBatch(unit, batch.captions));
    } finally {
      unit.dispose();
      if (options.disposeInputs) batch.images.dispose();
    }
    samples += batch.images.shape[0];
    index++;
    const elapsedSeconds = (performance.now() - started) / 1000;
    options.onProgress?.({
      samples,
      expectedSamples: options.expectedSamples,
      batches: index,
      elapsedSeconds,
      samplesPerSecond: elapsedSeconds > 0 ? samples / elapsedSeconds : 0,
    });
  }
  return samples;
}

/** Current tfjs backend name, for reports. */
export function backendName(): string {
  return tf.getBackend() ?? 'none';
}
