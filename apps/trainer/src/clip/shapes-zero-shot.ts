import {
  type ClipModel,
  type PerImageZeroShotTask,
  preprocessPhoto,
  type TokenizedTexts,
  zeroShotPerImageTasks,
} from '@ratlip/clip';
import {
  SHAPES_COLOUR_NAMES,
  SHAPES_KINDS,
  SHAPES_POSITION_NAMES,
  SHAPES_SIZE_NAMES,
  SHAPES_SYNONYMS,
  ShapesDataset,
  type ShapesObject,
} from '@ratlip/datasets';
import * as tf from '@tensorflow/tfjs';

/** The attributes scored, with every value each can take. */
const ATTRIBUTE_VALUES = {
  colour: SHAPES_COLOUR_NAMES,
  shape: SHAPES_KINDS,
  size: SHAPES_SIZE_NAMES,
  position: SHAPES_POSITION_NAMES,
} as const;

/** An attribute of a Shapes object scored zero-shot. */
export type ShapesAttribute = keyof typeof ATTRIBUTE_VALUES;

/** The attributes in the order records list them. */
export const SHAPES_ZERO_SHOT_ATTRIBUTES = Object.keys(ATTRIBUTE_VALUES) as ShapesAttribute[];

type ObjectAttributes = Pick<ShapesObject, ShapesAttribute>;

/** Options of {@link shapesZeroShotSet}. */
export interface ShapesZeroShotSetOptions {
  /** Single-object test images. */
  imageCount: number;
  /** Their side in pixels: the CLIP's `imageSize`. */
  imageSize: number;
  /** Seed of the Shapes dataset (the training run's; the test split never shares its samples). */
  seed: number;
}

/** The images, the caption pool and the per-image candidates of a Shapes zero-shot evaluation. */
export interface ShapesZeroShotSet {
  /** CLIP-normalised images `[imageCount, imageSize, imageSize, 3]`, row-major. */
  pixels: Float32Array;
  imageCount: number;
  imageSize: number;
  seed: number;
  /** Every caption some image chooses among, tokenized. */
  texts: TokenizedTexts;
  /** Per attribute: for each image, its canonical caption with that attribute set to each value in turn. */
  tasks: Record<ShapesAttribute, PerImageZeroShotTask>;
}

/** Accuracy of one attribute. */
export interface AttributeAccuracy {
  /** Share of images whose own caption, among its variants, is the most similar one. */
  accuracy: number;
  /** 1 / the number of values of the attribute. */
  chance: number;
  /** Number of values (candidates per image). */
  values: number;
}

/** A Shapes zero-shot evaluation, as written to `zero-shot.json` and `zero-shot.jsonl`. */
export interface ShapesZeroShotRecord {
  /** Training step of the weights evaluated. */
  step: number;
  /** What was measured, in words. */
  protocol: string;
  images: number;
  dataset: { kind: 'shapes'; split: 'test'; maxObjects: 1; seed: number; imageSize: number };
  attributes: Record<ShapesAttribute, AttributeAccuracy>;
  /** Mean accuracy over the attributes. */
  meanAccuracy: number;
}

const PROTOCOL =
  "per image and attribute, CLIP picks among the image's canonical caption ('a small red circle in the top left') " +
  'with that attribute set to each of its values; single-object images of the Shapes test split';

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** The canonical caption of an object: the first template with the first synonym of every value. */
export function canonicalShapesCaption(object: ObjectAttributes): string {
  const size = SHAPES_SYNONYMS.size[object.size][0];
  const colour = SHAPES_SYNONYMS.colour[object.colour][0];
  const shape = SHAPES_SYNONYMS.shape[object.shape][0];
  const position = SHAPES_SYNONYMS.position[object.position][0];
  return `${article(size)} ${size} ${colour} ${shape} ${position}`;
}

/**
 * Renders the evaluation images (single objects, test split, so never a training sample) and builds
 * each attribute's candidates. Images are drawn at the CLIP's size, so the CLIP preprocessing reduces to
 * `/255` and the mean/std normalisation.
 * @param tokenize the model's tokenization of the candidate captions (ids as its embedding expects).
 */
export function shapesZeroShotSet(
  tokenize: (texts: string[]) => TokenizedTexts,
  options: ShapesZeroShotSetOptions,
): ShapesZeroShotSet {
  const { imageCount, imageSize, seed } = options;
  const dataset = new ShapesDataset({ split: 'test', size: imageCount, seed, imageSize, maxObjects: 1 });
  const pixels = new Float32Array(imageCount * imageSize * imageSize * 3);
  const pool = new Map<string, number>();
  const row = (caption: string) => {
    let index = pool.get(caption);
    if (index === undefined) {
      index = pool.size;
      pool.set(caption, index);
    }
    return index;
  };
  const tasks = Object.fromEntries(
    SHAPES_ZERO_SHOT_ATTRIBUTES.map((attribute) => [
      attribute,
      { candidates: [] as number[][], labels: [] as number[] },
    ]),
  ) as Record<ShapesAttribute, { candidates: number[][]; labels: number[] }>;
  for (let index = 0; index < imageCount; index++) {
    pixels.set(
      preprocessPhoto(dataset.render(index), { size: imageSize }),
      index * imageSize * imageSize * 3,
    );
    const object = dataset.scene(index).objects[0]!;
    for (const attribute of SHAPES_ZERO_SHOT_ATTRIBUTES) {
      const values: readonly string[] = ATTRIBUTE_VALUES[attribute];
      tasks[attribute].candidates.push(
        values.map((value) => row(canonicalShapesCaption({ ...object, [attribute]: value }))),
      );
      tasks[attribute].labels.push(values.indexOf(object[attribute]));
    }
  }
  const texts = tokenize([...pool.keys()]);
  return { pixels, imageCount, imageSize, seed, texts, tasks };
}

/** Zero-shot accuracy per attribute of `model` on `set`. Leaves no tensors behind. */
export function evaluateShapesZeroShot(
  model: ClipModel,
  set: ShapesZeroShotSet,
  step: number,
): ShapesZeroShotRecord {
  const images = tf.tensor4d(set.pixels, [set.imageCount, set.imageSize, set.imageSize, 3]);
  let results: ReturnType<typeof zeroShotPerImageTasks>;
  try {
    results = zeroShotPerImageTasks(model, images, set.texts, set.tasks);
  } finally {
    images.dispose();
  }
  const attributes = Object.fromEntries(
    SHAPES_ZERO_SHOT_ATTRIBUTES.map((attribute) => {
      const result = results[attribute]!;
      const values = ATTRIBUTE_VALUES[attribute].length;
      return [attribute, { accuracy: result.accuracy, chance: result.chance, values }];
    }),
  ) as Record<ShapesAttribute, AttributeAccuracy>;
  const accuracies = Object.values(attributes).map((entry) => entry.accuracy);
  return {
    step,
    protocol: PROTOCOL,
    images: set.imageCount,
    dataset: { kind: 'shapes', split: 'test', maxObjects: 1, seed: set.seed, imageSize: set.imageSize },
    attributes,
    meanAccuracy: accuracies.reduce((sum, value) => sum + value, 0) / accuracies.length,
  };
}
