import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { CLIP_MEAN, CLIP_STD } from '../preprocessing/clip-normalization';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer';

/** A tiny captioned image set for training tests: one coloured square in one quadrant of a grey image. */
export const SQUARE_COLOURS = {
  red: [220, 30, 30],
  green: [30, 160, 50],
  blue: [30, 70, 220],
  yellow: [245, 215, 30],
} as const;
export const SQUARE_POSITIONS = {
  'top left': [0.25, 0.25],
  'top right': [0.75, 0.25],
  'bottom left': [0.25, 0.75],
  'bottom right': [0.75, 0.75],
} as const;

const COLOURS = Object.entries(SQUARE_COLOURS);
const POSITIONS = Object.entries(SQUARE_POSITIONS);

/** Number of distinct (colour, position) classes. */
export const SQUARE_CLASS_COUNT = COLOURS.length * POSITIONS.length;

/** Colour and position index of a class in `[0, SQUARE_CLASS_COUNT)`. */
export function squareAttributes(classIndex: number): { colour: number; position: number } {
  return { colour: Math.floor(classIndex / POSITIONS.length), position: classIndex % POSITIONS.length };
}

/** The caption of a class, e.g. "a red square at the top left". */
export function squareCaption(classIndex: number): string {
  const { colour, position } = squareAttributes(classIndex);
  return `a ${COLOURS[colour]![0]} square at the ${POSITIONS[position]![0]}`;
}

/**
 * CLIP-normalised images `[classes.length, size, size, 3]`: a grey background of random level with pixel
 * noise, and the class's square (side about size / 4) jittered around its quadrant's centre.
 */
export function renderSquares(classes: readonly number[], size: number, random: SeededRandom): tf.Tensor4D {
  const pixels = new Float32Array(classes.length * size * size * 3);
  const side = Math.round(size / 4);
  classes.forEach((classIndex, image) => {
    const { colour, position } = squareAttributes(classIndex);
    const rgb = COLOURS[colour]![1];
    const [cx, cy] = POSITIONS[position]![1];
    const grey = 90 + random.uniform() * 70;
    const jitter = () => Math.round((random.uniform() * 2 - 1) * (size / 16));
    const left = Math.round(cx * size - side / 2) + jitter();
    const top = Math.round(cy * size - side / 2) + jitter();
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = x >= left && x < left + side && y >= top && y < top + side;
        const noise = (random.uniform() * 2 - 1) * 12;
        for (let c = 0; c < 3; c++) {
          const value = inside ? rgb[c]! : grey + noise;
          pixels[((image * size + y) * size + x) * 3 + c] = (value / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
        }
      }
    }
  });
  return tf.tensor4d(pixels, [classes.length, size, size, 3]);
}

/** Token ids `[classes.length, 77]` of the classes' captions. */
export function squareCaptionIds(classes: readonly number[], tokenizer: ClipTokenizer): tf.Tensor2D {
  const tokens = tokenizer.tokenize(classes.map(squareCaption));
  return tf.tensor2d(tokens.ids, [tokens.count, tokens.contextLength], 'int32');
}
