import {
  canonicalShapesCaption,
  parseShapesCaption,
  shapesCounterfactualCaptions,
  shapesSwappedCaptions,
} from '@ratlip/datasets';
import type { SentenceEncoder } from '@ratlip/ratlip-gan';
import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/**
 * The captions the contrastive CLIP term (`ratlip train --clip-contrast-weight`) chooses among for
 * each image of a batch: one row per image, all rows equally long, choice 0 describing the image and
 * the others not.
 *
 * @param captions the batch's captions, one per image.
 * @param contrasts how many captions each image is contrasted with.
 * @param rng the trainer's data-order generator, so a resumed run draws the same choices.
 */
export type ContrastCaptionSource = (
  captions: readonly string[],
  contrasts: number,
  rng: SeededRandom,
) => string[][];

/**
 * Any dataset: each image's own caption against the next `contrasts` captions of the batch
 * (fewer when the batch is smaller).
 */
const batchContrasts: ContrastCaptionSource = (captions, contrasts) => {
  if (captions.length < 2) {
    throw new Error(
      'contrastive CLIP term: a batch of 1 has no other caption to contrast with; train with --batch-size 2 or more',
    );
  }
  const count = Math.min(contrasts, captions.length - 1);
  return captions.map((caption, i) => [
    caption,
    ...Array.from({ length: count }, (_, k) => captions[(i + k + 1) % captions.length]!),
  ]);
};

/**
 * Shapes: each caption, reworded canonically, against captions that change exactly one of its
 * attributes, so every contrast asks for one attribute (shape, colour, size or position) in turn, and,
 * for two objects, against the caption with an attribute exchanged between them (up to half the row),
 * which asks which object has it. Objects with few attributes cycle their contrasts to fill the row.
 */
const shapesContrasts: ContrastCaptionSource = (captions, contrasts, rng) =>
  captions.map((caption) => {
    const { objects } = parseShapesCaption(caption);
    const swapped = rng.shuffle(shapesSwappedCaptions(objects)).slice(0, Math.floor(contrasts / 2));
    const pool = [...swapped, ...shapesCounterfactualCaptions(objects, contrasts - swapped.length, rng)];
    if (pool.length === 0) {
      throw new Error(`contrastive CLIP term: no Shapes object recognised in the caption "${caption}"`);
    }
    return [
      canonicalShapesCaption(objects),
      ...Array.from({ length: contrasts }, (_, k) => pool[k % pool.length]!),
    ];
  });

/** Sources by dataset kind; kinds without one contrast within the batch. */
const CONTRAST_SOURCES: Readonly<Record<string, ContrastCaptionSource>> = { shapes: shapesContrasts };

/** The contrast captions of a dataset kind (`shapes`, `cub`, ...). */
export function contrastCaptionSource(datasetKind: string): ContrastCaptionSource {
  return CONTRAST_SOURCES[datasetKind] ?? batchContrasts;
}

/**
 * The sentence embeddings of a batch's contrast captions.
 * @returns `[batch, choices, sentenceDim]`, choice 0 describing each image.
 */
export function encodeContrastSentences(
  source: ContrastCaptionSource,
  captions: readonly string[],
  contrasts: number,
  rng: SeededRandom,
  encoder: SentenceEncoder,
): tf.Tensor3D {
  const rows = source(captions, contrasts, rng);
  const choices = rows[0]!.length;
  return tf.tidy(() => {
    const flat = encoder.encode(rows.flat());
    return tf.reshape(flat, [rows.length, choices, flat.shape[1]]);
  });
}
