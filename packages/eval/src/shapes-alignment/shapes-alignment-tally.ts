import {
  SHAPES_COLOUR_NAMES,
  SHAPES_KINDS,
  SHAPES_POSITION_NAMES,
  SHAPES_SIZE_NAMES,
  type ShapesCaptionObject,
} from '@ratlip/datasets';
import { SHAPES_ATTRIBUTES, type ShapesAlignmentResult, type ShapesAttribute } from './shapes-alignment';

/** Chance of guessing each attribute: 1 / number of values in the Shapes vocabulary. */
export const SHAPES_ATTRIBUTE_CHANCE: Readonly<Record<ShapesAttribute, number>> = {
  colour: 1 / SHAPES_COLOUR_NAMES.length,
  shape: 1 / SHAPES_KINDS.length,
  size: 1 / SHAPES_SIZE_NAMES.length,
  position: 1 / SHAPES_POSITION_NAMES.length,
};

/** Chance of the right object count: Shapes scenes hold 1 or 2 objects. */
export const SHAPES_COUNT_CHANCE = 1 / 2;

/** Accuracies over many images and their chance levels. */
export interface ShapesAlignmentSummary {
  /** Images whose caption named at least one object (the ones scored). */
  samples: number;
  /** Images whose caption named no Shapes object (not scored). */
  unparsed: number;
  /** Per attribute: fraction of described values the images show. */
  accuracy: Record<ShapesAttribute, number>;
  /** Per attribute: how many described values were judged. */
  judged: Record<ShapesAttribute, number>;
  /** Fraction of described objects with every described attribute right. */
  objectAccuracy: number;
  /** Fraction of images with as many objects as described. */
  countAccuracy: number;
  /** Fraction of images entirely right (count and every object). */
  overall: number;
  /**
   * Chance levels: per attribute 1 / number of values; `object` and `overall` the mean over the
   * scored images of the product of the chances of what their captions describe.
   */
  chance: Record<ShapesAttribute | 'object' | 'count' | 'overall', number>;
}

function objectChance(object: ShapesCaptionObject): number {
  let chance = 1;
  for (const attribute of SHAPES_ATTRIBUTES) {
    if (object[attribute] !== undefined) chance *= SHAPES_ATTRIBUTE_CHANCE[attribute];
  }
  return chance;
}

function zeros(): Record<ShapesAttribute, number> {
  return { colour: 0, shape: 0, size: 0, position: 0 };
}

/** Running counts of {@link ShapesAlignmentResult}s, summarised as accuracies with chance levels. */
export class ShapesAlignmentTally {
  private samples = 0;
  private unparsed = 0;
  private readonly correct = zeros();
  private readonly judged = zeros();
  private objects = 0;
  private objectsCorrect = 0;
  private objectChanceSum = 0;
  private countCorrect = 0;
  private overallCorrect = 0;
  private overallChanceSum = 0;

  add(result: ShapesAlignmentResult): void {
    if (result.objects.length === 0) {
      this.unparsed++;
      return;
    }
    this.samples++;
    let sampleChance = SHAPES_COUNT_CHANCE;
    for (const object of result.objects) {
      for (const attribute of SHAPES_ATTRIBUTES) {
        const correct = object.correct[attribute];
        if (correct === undefined) continue;
        this.judged[attribute]++;
        if (correct) this.correct[attribute]++;
      }
      this.objects++;
      if (object.allCorrect) this.objectsCorrect++;
      const chance = objectChance(object.described);
      this.objectChanceSum += chance;
      sampleChance *= chance;
    }
    if (result.countCorrect) this.countCorrect++;
    if (result.allCorrect) this.overallCorrect++;
    this.overallChanceSum += sampleChance;
  }

  /** Accuracies so far (0 where nothing was judged). */
  summary(): ShapesAlignmentSummary {
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    const accuracy = zeros();
    for (const attribute of SHAPES_ATTRIBUTES) {
      accuracy[attribute] = ratio(this.correct[attribute], this.judged[attribute]);
    }
    return {
      samples: this.samples,
      unparsed: this.unparsed,
      accuracy,
      judged: { ...this.judged },
      objectAccuracy: ratio(this.objectsCorrect, this.objects),
      countAccuracy: ratio(this.countCorrect, this.samples),
      overall: ratio(this.overallCorrect, this.samples),
      chance: {
        ...SHAPES_ATTRIBUTE_CHANCE,
        object: ratio(this.objectChanceSum, this.objects),
        count: SHAPES_COUNT_CHANCE,
        overall: ratio(this.overallChanceSum, this.samples),
      },
    };
  }
}
