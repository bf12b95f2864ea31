import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openLocal, smoothJpeg, writeFileDeep } from '../../test/fixture-trees';

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ root, cleanup } = await makeTempDir('manifest'));
  for (const name of ['img/a.jpg', 'img/b.jpg', 'img/c.jpg'])
    await writeFileDeep(join(root, name), await smoothJpeg(24, 24, name.length));
  await writeFileDeep(
    join(root, 'data.jsonl'),
    [
      '{"image": "img/a.jpg", "captions": ["a red bird", "a bird that is red"], "split": "train"}',
      '',
      '{"image": "img/b.jpg", "caption": "a blue bird", "split": "test"}',
      `{"image": ${JSON.stringify(join(root, 'img/c.jpg'))}, "captions": ["absolute path"], "split": "train"}`,
      '{"image": "img/a.jpg", "caption": "a third caption", "split": "train"}',
    ].join('\n'),
  );
  await writeFileDeep(
    join(root, 'data.csv'),
    'image,caption,split\r\nimg/a.jpg,"a bird, red",\r\nimg/b.jpg,"it said ""hi""\nover two lines",\r\nimg/a.jpg,second,\r\n',
  );
  await writeFileDeep(join(root, 'multi.csv'), 'captions,image\n"one|two|three",img/c.jpg\n');
  await writeFileDeep(join(root, 'list.json'), JSON.stringify([{ image: 'img/b.jpg', captions: ['x'] }]));
  await writeFileDeep(
    join(root, 'bad.jsonl'),
    '{"image": "img/a.jpg", "captions": ["ok"]}\n{"image": "img/b.jpg"}\n',
  );
  await writeFileDeep(join(root, 'broken.jsonl'), '{"image": "img/a.jpg", "captions": ["ok"]}\n{oops\n');
  await writeFileDeep(
    join(root, 'mixed.jsonl'),
    '{"image": "a.jpg", "captions": ["ok"], "split": "train"}\n{"image": "b.jpg", "captions": ["ok"]}\n',
  );
  await writeFileDeep(join(root, 'bad.csv'), 'picture,caption\na.jpg,x\n');
  await writeFileDeep(join(root, 'empty-caption.jsonl'), '{"image": "img/a.jpg", "captions": ["  "]}\n');
});
afterAll(() => cleanup());

describe('manifest datasets', () => {
  it('loads JSONL rows, merges captions per image and selects by split label', async () => {
    const all = await openLocal(`manifest:${join(root, 'data.jsonl')}`);
    expect(all.size).toBe(3);
    expect(await all.loadCaptions(0)).toEqual(['a red bird', 'a bird that is red', 'a third caption']);
    expect(all.locate(0).imagePath).toBe(join(root, 'img', 'a.jpg'));
    expect(all.locate(2).imagePath).toBe(join(root, 'img', 'c.jpg'));
    const image = await all.loadImage(2, { resizeShortSide: 12 });
    expect([image.width, image.height]).toEqual([12, 12]);
    const test = await openLocal({ kind: 'manifest', path: join(root, 'data.jsonl'), split: 'test' });
    expect(test.size).toBe(1);
    expect(await test.loadCaptions(0)).toEqual(['a blue bird']);
    expect((await openLocal(`manifest:${join(root, 'data.jsonl')}`, { split: 'train' })).size).toBe(2);
  });

  it('loads CSV (quoted commas, quotes and newlines; one caption per row or |-separated) and JSON arrays', async () => {
    const csv = await openLocal(`manifest:${join(root, 'data.csv')}`);
    expect(csv.size).toBe(2);
    expect(await csv.loadCaptions(0)).toEqual(['a bird, red', 'second']);
    expect(await csv.loadCaptions(1)).toEqual(['it said "hi"\nover two lines']);
    const multi = await openLocal(`manifest:${join(root, 'multi.csv')}`);
    expect(await multi.loadCaptions(0)).toEqual(['one', 'two', 'three']);
    const json = await openLocal(`manifest:${join(root, 'list.json')}`);
    expect(json.id(0)).toBe('img/b.jpg');
  });

  it('names the file and line of malformed rows', async () => {
    await expect(openLocal(`manifest:${join(root, 'bad.jsonl')}`)).rejects.toThrow(
      /bad\.jsonl:2: needs "captions"/,
    );
    await expect(openLocal(`manifest:${join(root, 'broken.jsonl')}`)).rejects.toThrow(
      /broken\.jsonl:2: invalid JSON/,
    );
    await expect(openLocal(`manifest:${join(root, 'mixed.jsonl')}`)).rejects.toThrow(
      /mixed\.jsonl:2: some rows give a split/,
    );
    await expect(openLocal(`manifest:${join(root, 'bad.csv')}`)).rejects.toThrow(
      /bad\.csv:1: header must name an "image" column/,
    );
    await expect(openLocal(`manifest:${join(root, 'none.jsonl')}`)).rejects.toThrow(
      /none\.jsonl: manifest not found/,
    );
    await expect(openLocal(`manifest:${join(root, 'data.txt')}`)).rejects.toThrow(
      /not found|unknown manifest format/,
    );
    const empty = await openLocal(`manifest:${join(root, 'empty-caption.jsonl')}`);
    await expect(empty.loadCaptions(0)).rejects.toThrow(
      /img\/a\.jpg: the manifest gives this image no non-empty caption/,
    );
  });
});
