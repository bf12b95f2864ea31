import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageFeatureExtractor } from '../features/feature-extractor';
import type { EvaluationProgress } from './batch-stream';
import { evaluateMetrics } from './evaluate-metrics';
import type { EvalBatch } from './metric';
import { METRICS } from './metric-registry';
import { computeReferenceStatistics } from './reference-statistics';

/** A cheap stand-in for Inception: per-channel means and mean squares plus a few pooled values. */
class ToyExtractor implements ImageFeatureExtractor {
  readonly id = 'toy/pooled';
  readonly dim = 9;
  calls = 0;
  extract(images: tf.Tensor4D): tf.Tensor2D {
    this.calls++;
    return tf.tidy(() => {
      const means = tf.mean(images, [1, 2]);
      const squares = tf.mean(tf.square(images), [1, 2]);
      const corner = tf.reshape(tf.slice(images, [0, 0, 0, 0], [-1, 1, 1, 3]), [images.shape[0], 3]);
      return tf.concat([means, squares, corner], 1) as tf.Tensor2D;
    });
  }
  describe() {
    return { network: 'toy', convention: 'toy', weights: 'none', resize: 'none', normalisation: 'none' };
  }
}

function* imageBatches(seed: number, count: number, size: number, toUnit = false): Generator<EvalBatch> {
  const random = new SeededRandom(seed);
  for (let done = 0; done < count; done += size) {
    const n = Math.min(size, count - done);
    const values = random.uniformArray(n * 6 * 6 * 3, -1, 1);
    const images = tf.tensor4d(toUnit ? values.map((v) => (v + 1) / 2) : values, [n, 6, 6, 3]);
    yield { images };
  }
}

describe('evaluateMetrics', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('registers fid, kid, clip-score and shapes-alignment', () => {
    expect(Object.keys(METRICS).sort()).toEqual(['clip-score', 'fid', 'kid', 'shapes-alignment']);
  });

  it('streams once, shares features between FID and KID, reports settings, leaks nothing', async () => {
    const extractor = new ToyExtractor();
    const before = tf.memory().numTensors;
    const reference = await computeReferenceStatistics({
      batches: imageBatches(1, 150, 16, true),
      extractor,
      keepFeatures: true,
    });
    expect(reference.statistics.count).toBe(150);
    expect(reference.features?.rows).toBe(150);
    expect(tf.memory().numTensors).toBe(before);

    extractor.calls = 0;
    const progress: EvaluationProgress[] = [];
    const report = await evaluateMetrics({
      metrics: [
        { metric: 'fid', options: { extractor, reference: reference.statistics, referenceName: 'toy-real' } },
        {
          metric: 'kid',
          options: { extractor, reference: reference.features!, referenceName: 'toy-real', subsets: 10 },
        },
      ],
      batches: imageBatches(1, 150, 16),
      expectedSamples: 150,
      onProgress: (p) => progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(extractor.calls).toBe(10);
    expect(progress.map((p) => p.samples)).toEqual([16, 32, 48, 64, 80, 96, 112, 128, 144, 150]);
    expect(progress.at(-1)?.expectedSamples).toBe(150);
    expect(report.sampleCount).toBe(150);
    expect(report.backend).toBe('cpu');
    const [fid, kid] = report.metrics;
    // Same images, [-1, 1] generated vs [0, 1] reference: identical features.
    expect(Math.abs(fid!.value)).toBeLessThan(1e-6);
    // Unbiased MMD^2 of a set against itself is not exactly 0 (the cross term includes each sample's own pair).
    expect(Math.abs(kid!.value)).toBeLessThan(1e-2);
    expect(fid!.sampleCount).toBe(150);
    expect(fid!.settings).toMatchObject({
      featureNetwork: 'toy',
      reference: 'toy-real',
      referenceSamples: 150,
      featureDim: 9,
      imageMapping: expect.stringContaining('(x + 1) / 2'),
    });
    expect(fid!.notes.join(' ')).toMatch(/only 150 samples/);
    expect(kid!.settings).toMatchObject({ subsets: 10, subsetSize: 150, degree: 3, referenceSamples: 150 });
    expect(kid!.std).toBeGreaterThanOrEqual(0);
  });

  it('sees a shifted distribution', async () => {
    const extractor = new ToyExtractor();
    const reference = await computeReferenceStatistics({
      batches: imageBatches(2, 200, 50, true),
      extractor,
    });
    const shifted = (function* () {
      for (const batch of imageBatches(3, 200, 50)) {
        const images = tf.tidy(() => tf.mul(batch.images, 0.5) as tf.Tensor4D);
        batch.images.dispose();
        yield { images };
      }
    })();
    const report = await evaluateMetrics({
      metrics: [
        { metric: 'fid', options: { extractor, reference: reference.statistics, referenceName: 'r' } },
      ],
      batches: shifted,
    });
    expect(report.metrics[0]!.value).toBeGreaterThan(0.01);
  });

  it('rejects bad requests and batches with messages naming the problem', async () => {
    const extractor = new ToyExtractor();
    const wrongDim = { dim: 3, mean: new Float64Array(3), covariance: new Float64Array(9) };
    await expect(
      evaluateMetrics({
        metrics: [{ metric: 'fid', options: { extractor, reference: wrongDim, referenceName: 'x.npz' } }],
        batches: imageBatches(1, 4, 4),
      }),
    ).rejects.toThrow(/reference 'x\.npz' has dim 3 but extractor toy\/pooled gives 9/);
    const reference = { dim: 9, mean: new Float64Array(9), covariance: new Float64Array(81) };
    const before = tf.memory().numTensors;
    const gray = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    await expect(
      evaluateMetrics({
        metrics: [{ metric: 'fid', options: { extractor, reference, referenceName: 'r' } }],
        batches: [{ images: gray }],
      }),
    ).rejects.toThrow(
      /batch 0: images must be a \[batch, height, width, 3\] tensor, got shape \[2, 4, 4, 1\]/,
    );
    gray.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      evaluateMetrics({
        // @ts-expect-error an unregistered metric name
        metrics: [{ metric: 'is', options: {} }],
        batches: [],
      }),
    ).rejects.toThrow(/unknown metric 'is'; registered: fid, kid, clip-score, shapes-alignment/);
  });
});
