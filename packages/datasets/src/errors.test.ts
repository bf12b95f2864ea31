import { describe, expect, it } from 'vitest';
import { DatasetError, isBadSampleError } from './errors';

describe('DatasetError', () => {
  it('is recognised across bundled copies of the class (the package entries are bundled separately)', () => {
    const fromAnotherCopy = Object.assign(new Error('x.jpg: cannot decode image'), {
      name: 'DatasetError',
      code: 'corrupt-image',
      path: 'x.jpg',
    });
    expect(fromAnotherCopy instanceof DatasetError).toBe(true);
    expect(isBadSampleError(fromAnotherCopy)).toBe(true);
    expect(isBadSampleError(new DatasetError('bad-pickle', 'a.pickle', 'a.pickle: ...'))).toBe(false);
    expect(new Error('plain') instanceof DatasetError).toBe(false);
    const error = new DatasetError('missing-image', 'a.jpg', 'a.jpg: image file not found');
    expect([error.name, error.code, error.path, error.isBadSample]).toEqual([
      'DatasetError',
      'missing-image',
      'a.jpg',
      true,
    ]);
  });
});
