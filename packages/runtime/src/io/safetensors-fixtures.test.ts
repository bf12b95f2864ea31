import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, listFixtures, readFixture } from '../testing/fixtures';
import { SAFETENSORS_DTYPE_SIZE } from './safetensors';
import { openSafetensorsFile } from './safetensors-node';

interface IndexFile {
  files: { file: string; bytes: number; sha256: string }[];
}

const fixtures = listFixtures('.safetensors');

describe('every shared safetensors fixture', () => {
  it('exists', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('%s: header agrees with the bytes; every tensor decodes', (relative) => {
    const file = readFixture(relative);
    const path = fixturePath(relative);
    const fileBytes = statSync(path).size;
    let covered = 0;
    for (const name of file.names()) {
      const entry = file.entry(name);
      const count = entry.shape.reduce((a, b) => a * b, 1);
      expect(entry.end - entry.begin).toBe(count * SAFETENSORS_DTYPE_SIZE[entry.dtype]);
      expect(file.raw(name).length).toBe(count);
      expect(file.float32(name).length).toBe(count);
      covered += entry.end - entry.begin;
    }
    expect(file.header.dataOffset + covered).toBe(fileBytes);

    const onDisk = openSafetensorsFile(path);
    try {
      expect(onDisk.names()).toEqual(file.names());
      expect(onDisk.metadata).toEqual(file.metadata);
      for (const name of file.names()) {
        expect(Buffer.from(onDisk.bytes(name)).equals(Buffer.from(file.bytes(name))), name).toBe(true);
      }
    } finally {
      onDisk.close();
    }
  });

  const indexes = [...new Set(fixtures.map((f) => dirname(f)))]
    .map((folder) => join(dirname(fixturePath(fixtures[0]!)), '..', folder, 'index.json'))
    .filter((path, i, all) => existsSync(path) && all.indexOf(path) === i);

  it.each(indexes)('%s: sizes and sha256 match', (indexPath) => {
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as IndexFile;
    for (const { file, bytes, sha256 } of index.files) {
      const data = readFileSync(join(dirname(indexPath), file));
      expect(data.byteLength, file).toBe(bytes);
      expect(createHash('sha256').update(data).digest('hex'), file).toBe(sha256);
    }
  });
});
