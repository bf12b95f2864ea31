import { describe, expect, it } from 'vitest';
import { parsePageQuery } from './playground-app';

describe('parsePageQuery', () => {
  it('reads every setting', () => {
    expect(parsePageQuery('?model=shapes&backend=wasm&caption=a%20red%20circle&seed=7&count=3')).toEqual({
      model: 'shapes',
      backend: 'wasm',
      caption: 'a red circle',
      seed: 7,
      count: 3,
    });
  });

  it('ignores values out of range', () => {
    expect(parsePageQuery('?backend=cuda&seed=-1&count=99&caption=%20')).toEqual({});
    expect(parsePageQuery('?seed=4294967296&count=1.5')).toEqual({});
    expect(parsePageQuery('')).toEqual({});
  });
});
