import { shapesObjectCountKey } from '@ratlip/eval';
import { describe, expect, it } from 'vitest';
import { describeEvaluation } from './evaluate-run';
import type { EvaluationRecord } from './evaluation-log';

describe('describeEvaluation', () => {
  it('prints the Shapes alignment per attribute with chance, then per number of described objects', () => {
    const perCount = (objects: number, captions: number, value: number) => ({
      [shapesObjectCountKey('captions', objects)]: captions,
      [shapesObjectCountKey('tooFew', objects)]: 0.125,
      [shapesObjectCountKey('tooMany', objects)]: 0.5,
      ...Object.fromEntries(
        ['colour', 'shape', 'size', 'position', 'overall', 'count'].map((field) => [
          shapesObjectCountKey(field, objects),
          value,
        ]),
      ),
    });
    const record: EvaluationRecord = {
      time: '2026-11-29T00:00:00.000Z',
      checkpoint: null,
      step: 12,
      captions: 'shapes heldout',
      samples: 5,
      seed: 0,
      by: 'ratlip eval',
      backend: 'cpu',
      metrics: [
        {
          metric: 'shapes-alignment',
          value: 0.4,
          sampleCount: 5,
          settings: {},
          notes: [],
          breakdown: {
            colour: 0.5,
            chanceColour: 1 / 11,
            overall: 0.4,
            ...perCount(1, 3, 1),
            ...perCount(2, 2, 0.25),
            [shapesObjectCountKey('colourBorrowed', 2)]: 0,
            [shapesObjectCountKey('shapeBorrowed', 2)]: 0.375,
            [shapesObjectCountKey('sizeBorrowed', 2)]: 0.25,
            [shapesObjectCountKey('positionBorrowed', 2)]: 0.125,
          },
        },
      ],
    };
    const lines = describeEvaluation(record);
    expect(lines[0]).toBe('step 12, 5 images for shapes heldout captions');
    expect(lines).toContain('  colour    0.500  (chance 0.091)');
    expect(lines.slice(-3)).toEqual([
      '  captions with 1 object (3): colour 1.000, shape 1.000, size 1.000, position 1.000, overall 1.000, count 1.000 (too few 0.125, too many 0.500)',
      '  captions with 2 objects (2): colour 0.250, shape 0.250, size 0.250, position 0.250, overall 0.250, count 0.250 (too few 0.125, too many 0.500)',
      "    shown with another object's value: colour 0.000, shape 0.375, size 0.250, position 0.125",
    ]);
  });

  it('leaves out the count split of records written before it existed', () => {
    const record: EvaluationRecord = {
      time: '2026-11-29T00:00:00.000Z',
      checkpoint: null,
      step: 3,
      captions: 'shapes heldout',
      samples: 1,
      seed: 0,
      by: 'training',
      backend: 'cpu',
      metrics: [
        {
          metric: 'shapes-alignment',
          value: 1,
          sampleCount: 1,
          settings: {},
          notes: [],
          breakdown: { [shapesObjectCountKey('captions', 1)]: 1, [shapesObjectCountKey('colour', 1)]: 1 },
        },
      ],
    };
    expect(describeEvaluation(record).at(-1)).toBe(
      '  captions with 1 object (1): colour 1.000, shape 0.000, size 0.000, position 0.000, overall 0.000',
    );
  });
});
