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

/** The accuracies of the images whose captions describe one number of objects. */
export interface ShapesObjectCountAlignment {
  /** Images scored. */
  samples: number;
  /** Per attribute: fraction of described values the images show. */
  accuracy: Record<ShapesAttribute, number>;
  /** Fraction of these images entirely right. */
  overall: number;
  /** Fraction of these images with as many objects detected as described. */
  countAccuracy: number;
  /** Fraction with fewer objects detected than described: objects missing or merged. */
  tooFew: number;
  /** Fraction with more objects detected than described: extra objects, or objects in fragments. */
  tooMany: number;
  /**
   * Per attribute: fraction of described values that the image shows with the value another object of
   * the caption has instead (an attribute bound to the wrong object, e.g. the left shape drawn as the
   * right one's); 0 for one-object captions.
   */
  borrowed: Record<ShapesAttribute, number>;
}

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
   * The same accuracies split by the number of objects the caption describes (keys 1, 2, ...): a
   * generator may bind attributes well in one-object scenes and not in two-object ones.
   */
  byObjectCount: Record<number, ShapesObjectCountAlignment>;
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

/** Counts of the images whose captions describe one number of objects. */
interface ObjectCountCounts {
  samples: number;
  correct: Record<ShapesAttribute, number>;
  judged: Record<ShapesAttribute, number>;
  overallCorrect: number;
  countCorrect: number;
  tooFew: number;
  tooMany: number;
  borrowed: Record<ShapesAttribute, number>;
}

/** Whether object `index` shows, wrongly, a value of `attribute` that another described object has. */
function borrowedValue(result: ShapesAlignmentResult, index: number, attribute: ShapesAttribute): boolean {
  const object = result.objects[index]!;
  const shown = object.shown[attribute];
  if (object.correct[attribute] !== false || shown === undefined) return false;
  return result.objects.some((other, k) => k !== index && other.described[attribute] === shown);
}

/** Running counts of {@link ShapesAlignmentResult}s, summarised as accuracies with chance levels. */
export class ShapesAlignmentTally {
  private readonly byObjectCount = new Map<number, ObjectCountCounts>();
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
    const described = result.objects.length;
    const group = this.byObjectCount.get(described) ?? {
      samples: 0,
      correct: zeros(),
      judged: zeros(),
      overallCorrect: 0,
      countCorrect: 0,
      tooFew: 0,
      tooMany: 0,
      borrowed: zeros(),
    };
    this.byObjectCount.set(described, group);
    group.samples++;
    if (result.allCorrect) group.overallCorrect++;
    if (result.detected.length < described) group.tooFew++;
    else if (result.detected.length > described) group.tooMany++;
    else group.countCorrect++;
    let sampleChance = SHAPES_COUNT_CHANCE;
    result.objects.forEach((object, index) => {
      for (const attribute of SHAPES_ATTRIBUTES) {
        const correct = object.correct[attribute];
        if (correct === undefined) continue;
        this.judged[attribute]++;
        group.judged[attribute]++;
        if (correct) {
          this.correct[attribute]++;
          group.correct[attribute]++;
        }
        if (borrowedValue(result, index, attribute)) group.borrowed[attribute]++;
      }
      this.objects++;
      if (object.allCorrect) this.objectsCorrect++;
      const chance = objectChance(object.described);
      this.objectChanceSum += chance;
      sampleChance *= chance;
    });
    if (result.countCorrect) this.countCorrect++;
    if (result.allCorrect) this.overallCorrect++;
    this.overallChanceSum += sampleChance;
  }

  /** Accuracies so far (0 where nothing was judged). */
  summary(): ShapesAlignmentSummary {
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    const perAttribute = (
      correct: Record<ShapesAttribute, number>,
      judged: Record<ShapesAttribute, number>,
    ) => {
      const accuracy = zeros();
      for (const attribute of SHAPES_ATTRIBUTES)
        accuracy[attribute] = ratio(correct[attribute], judged[attribute]);
      return accuracy;
    };
    const accuracy = perAttribute(this.correct, this.judged);
    const byObjectCount: Record<number, ShapesObjectCountAlignment> = {};
    for (const [count, group] of [...this.byObjectCount].sort(([a], [b]) => a - b)) {
      byObjectCount[count] = {
        samples: group.samples,
        accuracy: perAttribute(group.correct, group.judged),
        overall: ratio(group.overallCorrect, group.samples),
        countAccuracy: ratio(group.countCorrect, group.samples),
        tooFew: ratio(group.tooFew, group.samples),
        tooMany: ratio(group.tooMany, group.samples),
        borrowed: perAttribute(group.borrowed, group.judged),
      };
    }
    return {
      samples: this.samples,
      unparsed: this.unparsed,
      accuracy,
      judged: { ...this.judged },
      objectAccuracy: ratio(this.objectsCorrect, this.objects),
      countAccuracy: ratio(this.countCorrect, this.samples),
      overall: ratio(this.overallCorrect, this.samples),
      byObjectCount,
      chance: {
        ...SHAPES_ATTRIBUTE_CHANCE,
        object: ratio(this.objectChanceSum, this.objects),
        count: SHAPES_COUNT_CHANCE,
        overall: ratio(this.overallChanceSum, this.samples),
      },
    };
  }
}
