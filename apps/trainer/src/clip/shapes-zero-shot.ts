import {
  type ClipModel,
  type PerImageZeroShotTask,
  preprocessPhoto,
  type TokenizedTexts,
  zeroShotPerImageTasks,
} from '@ratlip/clip';
import {
  canonicalShapesCaption,
  SHAPES_COLOUR_NAMES,
  SHAPES_KINDS,
  SHAPES_POSITION_NAMES,
  SHAPES_SIZE_NAMES,
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

/** Options of {@link shapesZeroShotSet}. */
export interface ShapesZeroShotSetOptions {
  /** Single-object test images; also the two-object test images per attribute of the binding check. */
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
  /** Per attribute: two-object test images whose objects differ in it, choosing between two captions. */
  binding: Record<ShapesAttribute, BindingImages>;
}

/**
 * Two-object images that choose between their canonical caption and the same caption with one attribute
 * exchanged between the objects: the same words bound the other way round.
 */
export interface BindingImages {
  /** CLIP-normalised images `[imageCount, imageSize, imageSize, 3]`, row-major. */
  pixels: Float32Array;
  imageCount: number;
  /** Candidates `[caption, swapped caption]` in the shared text pool; the label is always 0. */
  task: PerImageZeroShotTask;
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

/** Binding accuracy of one attribute. */
export interface BindingAccuracy {
  /** Share of two-object images whose own caption is more similar than the attribute-swapped one. */
  accuracy: number;
  /** 0.5: two candidates. */
  chance: number;
  /** Images judged. */
  images: number;
}

/** A Shapes zero-shot evaluation, as written to `zero-shot.json` and `zero-shot.jsonl`. */
export interface ShapesZeroShotRecord {
  /** Training step of the weights evaluated. */
  step: number;
  /** What was measured, in words. */
  protocol: string;
  images: number;
  dataset: { kind: 'shapes'; split: 'test'; seed: number; imageSize: number };
  attributes: Record<ShapesAttribute, AttributeAccuracy>;
  /** Mean accuracy over the attributes. */
  meanAccuracy: number;
  /**
   * Per attribute: whether the CLIP binds it to the right object in two-object test images (the
   * caption against the one with that attribute swapped between the objects). A CLIP that reads
   * captions as bags of words scores chance (0.5), and a generator conditioned on it cannot learn which
   * object takes which colour.
   */
  binding: Record<ShapesAttribute, BindingAccuracy>;
  /** Mean binding accuracy over the attributes. */
  meanBindingAccuracy: number;
}

const PROTOCOL =
  "attributes: per image and attribute, CLIP picks among the image's canonical caption ('a small red circle in the " +
  "top left') with that attribute set to each of its values, on single-object images of the Shapes test split; " +
  'binding: per attribute, two-object test images whose objects differ in it pick between their canonical caption ' +
  'and the same caption with that attribute exchanged between the objects';

/** Test-split two-object scenes scanned per binding image wanted (objects share an attribute at most 1 in 3). */
const BINDING_SCAN_FACTOR = 8;

/**
 * Renders the evaluation images (test split, so never a training sample) and builds each attribute's
 * candidates. Images are drawn at the CLIP's size, so the CLIP preprocessing reduces to `/255` and the
 * mean/std normalisation.
 * @param tokenize the model's tokenization of the candidate captions (ids as its embedding expects).
 */
export function shapesZeroShotSet(
  tokenize: (texts: string[]) => TokenizedTexts,
  options: ShapesZeroShotSetOptions,
): ShapesZeroShotSet {
  const { imageCount, imageSize, seed } = options;
  const pool = new Map<string, number>();
  const row = (caption: string) => {
    let index = pool.get(caption);
    if (index === undefined) {
      index = pool.size;
      pool.set(caption, index);
    }
    return index;
  };
  const single = new ShapesDataset({ split: 'test', size: imageCount, seed, imageSize, maxObjects: 1 });
  const pixels = renderAll(
    single,
    Array.from({ length: imageCount }, (_, index) => index),
  );
  const tasks = byAttribute((attribute): PerImageZeroShotTask => {
    const candidates: number[][] = [];
    const labels: number[] = [];
    for (let index = 0; index < imageCount; index++) {
      const object = single.scene(index).objects[0]!;
      const values: readonly string[] = ATTRIBUTE_VALUES[attribute];
      candidates.push(
        values.map((value) => row(canonicalShapesCaption([{ ...object, [attribute]: value }]))),
      );
      labels.push(values.indexOf(object[attribute]));
    }
    return { candidates, labels };
  });
  const pairs = new ShapesDataset({
    split: 'test',
    size: imageCount * BINDING_SCAN_FACTOR,
    seed,
    imageSize,
    maxObjects: 2,
  });
  const binding = byAttribute((attribute): BindingImages => {
    const indices: number[] = [];
    const candidates: number[][] = [];
    for (let index = 0; index < pairs.size && indices.length < imageCount; index++) {
      const objects = pairs.scene(index).objects;
      if (objects.length !== 2 || objects[0]![attribute] === objects[1]![attribute]) continue;
      const [first, second] = objects as [ShapesObject, ShapesObject];
      const swapped = [
        { ...first, [attribute]: second[attribute] },
        { ...second, [attribute]: first[attribute] },
      ];
      indices.push(index);
      candidates.push([row(canonicalShapesCaption(objects)), row(canonicalShapesCaption(swapped))]);
    }
    return {
      pixels: renderAll(pairs, indices),
      imageCount: indices.length,
      task: { candidates, labels: new Int32Array(indices.length) },
    };
  });
  const texts = tokenize([...pool.keys()]);
  return { pixels, imageCount, imageSize, seed, texts, tasks, binding };
}

/** A record with `make(attribute)` for every attribute. */
function byAttribute<T>(make: (attribute: ShapesAttribute) => T): Record<ShapesAttribute, T> {
  return Object.fromEntries(
    SHAPES_ZERO_SHOT_ATTRIBUTES.map((attribute) => [attribute, make(attribute)]),
  ) as Record<ShapesAttribute, T>;
}

/** CLIP-normalised renders of `indices` of `dataset`, `[indices, size, size, 3]` row-major. */
function renderAll(dataset: ShapesDataset, indices: readonly number[]): Float32Array {
  const size = dataset.imageSize;
  const pixels = new Float32Array(indices.length * size * size * 3);
  indices.forEach((index, k) => {
    pixels.set(preprocessPhoto(dataset.render(index), { size }), k * size * size * 3);
  });
  return pixels;
}

/** Zero-shot and binding accuracy per attribute of `model` on `set`. Leaves no tensors behind. */
export function evaluateShapesZeroShot(
  model: ClipModel,
  set: ShapesZeroShotSet,
  step: number,
): ShapesZeroShotRecord {
  const { imageSize } = set;
  const run = (pixels: Float32Array, count: number, tasks: Record<string, PerImageZeroShotTask>) => {
    const images = tf.tensor4d(pixels, [count, imageSize, imageSize, 3]);
    try {
      return zeroShotPerImageTasks(model, images, set.texts, tasks);
    } finally {
      images.dispose();
    }
  };
  const results = run(set.pixels, set.imageCount, set.tasks);
  const attributes = byAttribute((attribute): AttributeAccuracy => {
    const { accuracy, chance } = results[attribute]!;
    return { accuracy, chance, values: ATTRIBUTE_VALUES[attribute].length };
  });
  const binding = byAttribute((attribute): BindingAccuracy => {
    const { pixels, imageCount, task } = set.binding[attribute];
    const { accuracy, chance } = run(pixels, imageCount, { [attribute]: task })[attribute]!;
    return { accuracy, chance, images: imageCount };
  });
  const mean = (entries: ReadonlyArray<{ accuracy: number }>) =>
    entries.reduce((sum, entry) => sum + entry.accuracy, 0) / entries.length;
  return {
    step,
    protocol: PROTOCOL,
    images: set.imageCount,
    dataset: { kind: 'shapes', split: 'test', seed: set.seed, imageSize },
    attributes,
    meanAccuracy: mean(Object.values(attributes)),
    binding,
    meanBindingAccuracy: mean(Object.values(binding)),
  };
}
