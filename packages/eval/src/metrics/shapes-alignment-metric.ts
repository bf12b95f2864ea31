import { shapesImagesFromTensor } from '../shapes-alignment/analysis-image';
import {
  SHAPES_DETECTION_DEFAULTS,
  type ShapesDetectionOptions,
} from '../shapes-alignment/detect-shapes-objects';
import { checkShapesAlignment, SHAPES_ATTRIBUTES } from '../shapes-alignment/shapes-alignment';
import { ShapesAlignmentTally } from '../shapes-alignment/shapes-alignment-tally';
import { shapesVocabularyFingerprint } from '../shapes-alignment/shapes-vocabulary-fingerprint';
import type { MetricAccumulator, MetricBatch, MetricDefinition, MetricReport } from './metric';

/** Where the captions came from, for the report (a `ShapesDataset` fits as it is). */
export interface ShapesCaptionSource {
  /** Dataset seed. */
  seed: number;
  /** Split (`train`, `test` or `heldout`). */
  split: string;
  /** Samples in the split. */
  size?: number;
}

/** Options of the `shapes-alignment` metric. */
export interface ShapesAlignmentMetricOptions {
  /** The Shapes dataset the captions were drawn from (recorded in the report). Default: not recorded. */
  dataset?: ShapesCaptionSource;
  /** Detector settings; defaults as `detectShapesObjects`. */
  detection?: ShapesDetectionOptions;
}

/**
 * The `shapes-alignment` breakdown key of `field` over the captions that describe `objects` objects,
 * e.g. `colourWith2Objects`. Fields: an attribute, `overall`, `captions` (the number of images), `count`
 * (as many objects detected as described), `tooFew` and `tooMany` (fewer or more detected) and, for two
 * objects or more, an attribute with `Borrowed` (`shapeBorrowed`: shown with another object's value).
 */
export function shapesObjectCountKey(field: string, objects: number): string {
  return `${field}With${objects}Object${objects === 1 ? '' : 's'}`;
}

/** Version of the checking procedure; bumped whenever a change can move a figure. */
const CHECKER_VERSION = 'shapes-alignment/1';

class ShapesAlignmentAccumulator implements MetricAccumulator {
  private readonly tally = new ShapesAlignmentTally();
  private readonly imageSizes = new Set<number>();
  private images = 0;

  constructor(private readonly options: ShapesAlignmentMetricOptions) {}

  async update(batch: MetricBatch): Promise<void> {
    if (!batch.captions) {
      throw new Error('shapes-alignment: every batch needs captions (EvalBatch.captions), one per image');
    }
    const images = await shapesImagesFromTensor(batch.images, 'zero-to-one');
    images.forEach((image, i) => {
      this.imageSizes.add(image.width);
      this.tally.add(checkShapesAlignment(image, batch.captions![i]!, this.options.detection));
    });
    this.images += images.length;
  }

  async finish(): Promise<MetricReport> {
    const summary = this.tally.summary();
    const { dataset, detection } = this.options;
    const breakdown: Record<string, number> = {};
    for (const attribute of SHAPES_ATTRIBUTES) breakdown[attribute] = summary.accuracy[attribute];
    breakdown.object = summary.objectAccuracy;
    breakdown.count = summary.countAccuracy;
    breakdown.overall = summary.overall;
    for (const [count, group] of Object.entries(summary.byObjectCount)) {
      const objects = Number(count);
      breakdown[shapesObjectCountKey('captions', objects)] = group.samples;
      for (const attribute of SHAPES_ATTRIBUTES) {
        breakdown[shapesObjectCountKey(attribute, objects)] = group.accuracy[attribute];
      }
      breakdown[shapesObjectCountKey('overall', objects)] = group.overall;
      breakdown[shapesObjectCountKey('count', objects)] = group.countAccuracy;
      breakdown[shapesObjectCountKey('tooFew', objects)] = group.tooFew;
      breakdown[shapesObjectCountKey('tooMany', objects)] = group.tooMany;
      if (objects < 2) continue;
      for (const attribute of SHAPES_ATTRIBUTES) {
        breakdown[shapesObjectCountKey(`${attribute}Borrowed`, objects)] = group.borrowed[attribute];
      }
    }
    for (const [name, chance] of Object.entries(summary.chance)) {
      breakdown[`chance${name[0]!.toUpperCase()}${name.slice(1)}`] = chance;
    }
    const notes: string[] = [];
    if (summary.unparsed > 0) {
      notes.push(`${summary.unparsed} of ${this.images} captions name no Shapes object and were not scored`);
    }
    if (summary.samples === 0) notes.push('no caption could be scored: the value is 0 by convention');
    return {
      metric: 'shapes-alignment',
      value: summary.overall,
      sampleCount: summary.samples,
      settings: {
        checker: CHECKER_VERSION,
        method:
          'palette segmentation against the estimated background, 8-connected objects, best of 7 outlines x 3 sizes by anti-aliased coverage, nearest of 9 positions; attributes bound leave-one-out',
        shapesGeometry: shapesVocabularyFingerprint(),
        shapesSeed: dataset?.seed ?? 'not recorded',
        shapesSplit: dataset?.split ?? 'not recorded',
        shapesSplitSize: dataset?.size ?? 'not recorded',
        imageSize: [...this.imageSizes].sort((a, b) => a - b).join(', '),
        maxColourDistance: detection?.maxColourDistance ?? SHAPES_DETECTION_DEFAULTS.maxColourDistance,
        minObjectArea: detection?.minObjectArea ?? SHAPES_DETECTION_DEFAULTS.minObjectArea,
        maxObjects: detection?.maxObjects ?? SHAPES_DETECTION_DEFAULTS.maxObjects,
      },
      breakdown,
      notes,
    };
  }
}

/** Analytic text-image alignment for Shapes captions: colour, shape, size, position and count. */
export const shapesAlignmentMetric: MetricDefinition<ShapesAlignmentMetricOptions> = {
  name: 'shapes-alignment',
  summary:
    'fraction of Shapes images showing exactly what their caption describes (colour, shape, size, position, count), checked analytically; per-attribute accuracies and chance levels in the breakdown',
  create: (options) => new ShapesAlignmentAccumulator(options ?? {}),
};
