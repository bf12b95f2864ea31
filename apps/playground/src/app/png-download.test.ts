import { describe, expect, it } from 'vitest';
import { captionSlug, imageFileName } from './png-download';

describe('image file names', () => {
  it('slugs captions', () => {
    expect(captionSlug('A red Circle, on the LEFT!')).toBe('a-red-circle-on-the-left');
    expect(captionSlug('???')).toBe('image');
    expect(captionSlug('x'.repeat(100))).toHaveLength(48);
  });

  it('numbers images from 1 and names the seed', () => {
    expect(imageFileName('a blue square', 42, 0)).toBe('ratlip-a-blue-square-seed42-1.png');
  });
});
