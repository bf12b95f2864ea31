import { describe, expect, it } from 'vitest';
import { checkRelativePath, describeJson, JsonFields, WebModelFormatError } from './json-fields';

describe('JsonFields', () => {
  it('reads typed fields and names the nested field that is wrong', () => {
    const fields = JsonFields.object('f.json', '', { a: { n: 3, s: 'x' } }).object('a');
    expect(fields.integer('n', 0, 5)).toBe(3);
    expect(fields.string('s')).toBe('x');
    expect(() => fields.integer('n', 4, 5)).toThrow('f.json: a.n must be between 4 and 5, got 3');
    expect(() => fields.string('missing')).toThrow(
      'f.json: a.missing must be a string, got nothing (the field is missing)',
    );
    expect(() => fields.onlyKeys(['n'])).toThrow("f.json: a has unknown field 's'; allowed: n");
  });

  it('throws WebModelFormatError carrying the file and field', () => {
    try {
      JsonFields.object('f.json', 'x', 'text');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WebModelFormatError);
      expect(error).toMatchObject({ source: 'f.json', field: 'x', name: 'WebModelFormatError' });
      expect((error as Error).message).toBe('f.json: x must be a JSON object, got the string "text"');
    }
  });
});

describe('checkRelativePath', () => {
  const check = (path: string) =>
    checkRelativePath(JsonFields.object('f.json', '', { path }), 'path', '.safetensors');

  it('accepts plain relative paths and refuses everything that could leave the folder', () => {
    expect(check('weights/g-1_v.2.safetensors')).toBe('weights/g-1_v.2.safetensors');
    for (const path of [
      '../g.safetensors',
      './g.safetensors',
      '/g.safetensors',
      'a//g.safetensors',
      'http://x/g.safetensors',
      'a\\g.safetensors',
    ]) {
      expect(() => check(path), path).toThrow('path must be a relative path of plain segments');
    }
    expect(() => check('g.bin')).toThrow("path must end with '.safetensors'");
  });
});

describe('describeJson', () => {
  it('describes each JSON type briefly', () => {
    expect(describeJson(null)).toBe('null');
    expect(describeJson([1])).toBe('an array');
    expect(describeJson({})).toBe('an object');
    expect(describeJson(true)).toBe('boolean true');
    expect(describeJson('y'.repeat(50))).toBe(`the string "${'y'.repeat(37)}..."`);
  });
});
