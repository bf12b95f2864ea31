import { canonicalShapesCaption, parseShapesCaption, shapesSwappedCaptions } from '@ratlip/datasets';
import type { SentenceEncoder } from '@ratlip/ratlip-gan';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { contrastCaptionSource, encodeContrastSentences } from './contrast-captions';

const CAPTIONS = [
  'a small red circle in the top left',
  'there is a big violet rhombus at the bottom and a tiny cyan star on the right',
  'in the centre, there is a medium-sized green hexagon',
];

describe('contrast captions of the contrastive CLIP term', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('Shapes: the canonical caption, then captions with one attribute changed', () => {
    const rows = contrastCaptionSource('shapes')(CAPTIONS, 5, new SeededRandom(0));
    expect(rows.map((row) => row.length)).toEqual([6, 6, 6]);
    rows.forEach((row, i) => {
      const { objects } = parseShapesCaption(CAPTIONS[i]!);
      expect(row[0]).toBe(canonicalShapesCaption(objects));
      for (const caption of row.slice(1)) {
        expect(parseShapesCaption(caption).objects).not.toEqual(objects);
        expect(parseShapesCaption(caption).objects).toHaveLength(objects.length);
      }
    });
  });

  it('Shapes: two-object captions also contrast with their attribute swaps, up to half the row', () => {
    const contrasts = 6;
    const rows = contrastCaptionSource('shapes')(CAPTIONS, contrasts, new SeededRandom(1));
    const swaps = shapesSwappedCaptions(parseShapesCaption(CAPTIONS[1]!).objects);
    expect(swaps.length).toBeGreaterThan(contrasts / 2);
    expect(rows[1]!.filter((caption) => swaps.includes(caption))).toHaveLength(contrasts / 2);
    expect(rows[0]!.filter((caption) => swaps.includes(caption))).toHaveLength(0);
  });

  it('Shapes: names a caption without a Shapes object', () => {
    expect(() => contrastCaptionSource('shapes')(['a photo of a cat'], 2, new SeededRandom(0))).toThrow(
      'contrastive CLIP term: no Shapes object recognised in the caption "a photo of a cat"',
    );
  });

  it('other datasets: each caption against the next captions of the batch', () => {
    expect(contrastCaptionSource('birds')(['a', 'b', 'c'], 5, new SeededRandom(0))).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
    ]);
    expect(() => contrastCaptionSource('birds')(['a'], 5, new SeededRandom(0))).toThrow(
      /a batch of 1 has no other caption to contrast with; train with --batch-size 2 or more/,
    );
  });

  it('encodes rows to [batch, choices, dim] in row order and frees its temporaries', () => {
    // An encoder whose embedding of a caption is [its length, its position in the call].
    const seen: string[] = [];
    const encoder: SentenceEncoder = {
      encode: (texts) => {
        seen.push(...texts);
        return tf.tensor2d(texts.map((text, i) => [text.length, i]));
      },
    };
    const before = tf.memory().numTensors;
    const sentences = encodeContrastSentences(
      contrastCaptionSource('birds'),
      ['a', 'bb'],
      1,
      new SeededRandom(0),
      encoder,
    );
    expect(sentences.shape).toEqual([2, 2, 2]);
    expect(sentences.arraySync()).toEqual([
      [
        [1, 0],
        [2, 1],
      ],
      [
        [2, 2],
        [1, 3],
      ],
    ]);
    expect(seen).toEqual(['a', 'bb', 'bb', 'a']);
    sentences.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
