import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipContrastiveLoss, diagonalTop1Accuracy } from './contrastive-loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Cross-entropy of each row with the diagonal as target, on plain numbers. */
function rowCrossEntropy(rows: number[][]): number {
  return (
    rows.reduce((total, row, i) => {
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0));
      return total + logSum - row[i]!;
    }, 0) / rows.length
  );
}

describe('clipContrastiveLoss', () => {
  const values = [
    [5, 1, -2],
    [0.5, 3, 0],
    [2, 2.5, -1],
  ];

  it('is the mean of the image-to-text and text-to-image cross-entropies', () => {
    const logits = tf.tensor2d(values);
    const loss = clipContrastiveLoss(logits);
    const transposed = values.map((_, j) => values.map((row) => row[j]!));
    const expected = (rowCrossEntropy(values) + rowCrossEntropy(transposed)) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([logits, loss]);
  });

  it('is ln(batch) for uninformative logits and differentiable without leaks', () => {
    const flat = tf.fill([8, 8], 3) as tf.Tensor2D;
    const loss = clipContrastiveLoss(flat);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(8), 5);
    const logits = tf.tensor2d(values);
    const before = tf.memory().numTensors;
    const gradient = tf.grad((x: tf.Tensor) => clipContrastiveLoss(x as tf.Tensor2D))(logits);
    expect(tf.memory().numTensors).toBe(before + 1);
    // Each row and each column of the softmax sums to 1, so the gradient has zero total per row plus column.
    expect(gradient.sum().dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([flat, loss, logits, gradient]);
  });

  it('lets negative columns compete for each image only', () => {
    const negatives = [
      [4, 0],
      [3.5, -1],
      [0, 0],
    ];
    const widened = values.map((row, i) => [...row, ...negatives[i]!]);
    const logits = tf.tensor2d(widened);
    const loss = clipContrastiveLoss(logits);
    const transposed = values.map((_, j) => values.map((row) => row[j]!));
    const expected = (rowCrossEntropy(widened) + rowCrossEntropy(transposed)) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    const flat = tf.fill([4, 7], 1) as tf.Tensor2D;
    const chance = clipContrastiveLoss(flat);
    expect(chance.dataSync()[0]).toBeCloseTo((Math.log(7) + Math.log(4)) / 2, 5);
    tf.dispose([logits, loss, flat, chance]);
  });

  it('rejects fewer texts than images', () => {
    const logits = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() => clipContrastiveLoss(logits)).toThrow(
      /must be \[batch, batch \+ negatives\] \(at least as many texts as images\), got \[3, 2\]/,
    );
    logits.dispose();
  });
});

describe('diagonalTop1Accuracy', () => {
  it('counts rows whose maximum is on the diagonal', () => {
    const logits = tf.tensor2d([
      [5, 1, -2],
      [0.5, 3, 0],
      [2, 2.5, -1],
    ]);
    const accuracy = diagonalTop1Accuracy(logits);
    expect(accuracy.dataSync()[0]).toBeCloseTo(2 / 3, 6);
    tf.dispose([logits, accuracy]);
  });
});
