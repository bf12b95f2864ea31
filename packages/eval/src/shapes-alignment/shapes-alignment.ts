import { parseShapesCaption, type ShapesCaptionObject, type ShapesCaptionParse } from '@ratlip/datasets';
import type { ShapesAnalysisImage } from './analysis-image';
import {
  type DetectedShapesObject,
  detectShapesObjects,
  type ShapesDetectionOptions,
} from './detect-shapes-objects';

/** The attributes a Shapes caption gives each object. */
export const SHAPES_ATTRIBUTES = ['colour', 'shape', 'size', 'position'] as const;
export type ShapesAttribute = (typeof SHAPES_ATTRIBUTES)[number];

/** How one described object fared. */
export interface ShapesObjectAlignment {
  /** What the caption says. */
  described: ShapesCaptionObject;
  /**
   * Per attribute the caption gives: whether the image shows it. Each attribute is judged on the
   * object bound to the description by the *other* attributes (see {@link checkShapesAlignment}).
   */
  correct: Partial<Record<ShapesAttribute, boolean>>;
  /**
   * Per attribute the caption gives: the value the object it was judged on shows (absent when no object
   * was bound). A wrong value that another described object has is an attribute bound to the wrong object.
   */
  shown: Partial<Pick<DetectedShapesObject, ShapesAttribute>>;
  /** The detected object bound by all attributes, if any. */
  detected?: DetectedShapesObject;
  /** That object has every described attribute. */
  allCorrect: boolean;
}

/** The alignment of one image with one caption. */
export interface ShapesAlignmentResult {
  /** The caption's objects; none when the caption is not in the Shapes vocabulary. */
  parsed: ShapesCaptionParse;
  /** Objects found in the image, largest first. */
  detected: DetectedShapesObject[];
  objects: ShapesObjectAlignment[];
  /** As many objects detected as described. */
  countCorrect: boolean;
  /** Count right and every described object fully right under one binding. */
  allCorrect: boolean;
}

function agreement(
  described: ShapesCaptionObject,
  detected: DetectedShapesObject,
  excluded: ShapesAttribute | undefined,
): number {
  let count = 0;
  for (const attribute of SHAPES_ATTRIBUTES) {
    if (
      attribute !== excluded &&
      described[attribute] !== undefined &&
      described[attribute] === detected[attribute]
    )
      count++;
  }
  return count;
}

/**
 * The binding of described to detected objects (distinct, `-1` for none) with the most agreeing
 * attributes, not counting `excluded`; ties go to more bound objects, then to larger detections.
 */
function bestBinding(
  described: readonly ShapesCaptionObject[],
  detected: readonly DetectedShapesObject[],
  excluded: ShapesAttribute | undefined,
): number[] {
  let best: number[] = [];
  let bestAgreement = -1;
  let bestBound = -1;
  const current: number[] = [];
  const used = new Set<number>();
  const visit = (index: number, agreed: number, bound: number) => {
    if (index === described.length) {
      if (agreed > bestAgreement || (agreed === bestAgreement && bound > bestBound)) {
        best = [...current];
        bestAgreement = agreed;
        bestBound = bound;
      }
      return;
    }
    for (let k = 0; k < detected.length; k++) {
      if (used.has(k)) continue;
      used.add(k);
      current.push(k);
      visit(index + 1, agreed + agreement(described[index]!, detected[k]!, excluded), bound + 1);
      current.pop();
      used.delete(k);
    }
    current.push(-1);
    visit(index + 1, agreed, bound);
    current.pop();
  };
  visit(0, 0, 0);
  return best;
}

/**
 * Checks a Shapes image against its caption analytically: the caption is parsed to objects and
 * attributes (`parseShapesCaption`), the image to objects (`detectShapesObjects`), and the two are
 * bound to each other.
 *
 * Binding: an attribute is judged on the detected object that best agrees with the description on
 * the other attributes (leave-one-out), so an attribute never helps choose the object it is judged
 * on. With a one-object scene this is the only object; with shuffled captions every attribute then
 * scores its chance level (1 / number of values) instead of the best of several tries. An object is
 * fully correct when one detected object has all its described attributes, and a sample when,
 * moreover, the object count is right.
 */
export function checkShapesAlignment(
  image: ShapesAnalysisImage,
  caption: string | ShapesCaptionParse,
  options: ShapesDetectionOptions = {},
): ShapesAlignmentResult {
  const parsed = typeof caption === 'string' ? parseShapesCaption(caption) : caption;
  const detected = detectShapesObjects(image, options).objects;
  const described = parsed.objects;
  const full = bestBinding(described, detected, undefined);
  const objects: ShapesObjectAlignment[] = described.map((object, i) => {
    const bound = full[i]! >= 0 ? detected[full[i]!] : undefined;
    return {
      described: object,
      correct: {},
      shown: {},
      detected: bound,
      allCorrect:
        bound !== undefined &&
        SHAPES_ATTRIBUTES.every((a) => object[a] === undefined || object[a] === bound[a]),
    };
  });
  for (const attribute of SHAPES_ATTRIBUTES) {
    if (!described.some((object) => object[attribute] !== undefined)) continue;
    const binding = bestBinding(described, detected, attribute);
    described.forEach((object, i) => {
      if (object[attribute] === undefined) return;
      const bound = binding[i]! >= 0 ? detected[binding[i]!] : undefined;
      objects[i]!.correct[attribute] = bound !== undefined && bound[attribute] === object[attribute];
      if (bound !== undefined) Object.assign(objects[i]!.shown, { [attribute]: bound[attribute] });
    });
  }
  const countCorrect = detected.length === described.length;
  return {
    parsed,
    detected,
    objects,
    countCorrect,
    allCorrect: described.length > 0 && countCorrect && objects.every((object) => object.allCorrect),
  };
}
