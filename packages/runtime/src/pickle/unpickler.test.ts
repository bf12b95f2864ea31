import { describe, expect, it } from 'vitest';
import { isPickleTuple, PickleError, type PickleGlobal, type PickleTuple, unpickle } from './unpickler';

/** Pickles written by CPython 3.11's `pickle.dumps` (protocols 0-5) of one nested value. */
const VECTORS = {
  protocol0:
    'KGRwMApWbmFtZXMKcDEKKGxwMgpWMDAxLkJsYWNrX2Zvb3RlZF9BbGJhdHJvc3MvQmxhY2tfRm9vdGVkX0FsYmF0cm9zc18wMDQ2XzE4CnAzCmFWY2Fm6SBcdTI2MDMKcDQKYXNWaW50cwpwNQoobHA2CkkwCmFJMQphSS0xCmFJMjU1CmFJMjU2CmFJNjU1MzUKYUk2NTUzNgphSS0yMTQ3NDgzNjQ4CmFMMjE0NzQ4MzY0OEwKYUwxMDk5NTExNjI3Nzc2TAphTC05MjIzMzcyMDM2ODU0Nzc1ODA4TAphc1ZiaWcKcDcKTDExODA1OTE2MjA3MTc0MTEzMDM0MjRMCnNWZmxvYXQKcDgKKGxwOQpGMS41CmFGLTAuMAphRjFlKzMwMAphc1Z0dXBsZQpwMTAKKEkxClZhCnAxMQooSTIKSTMKdHAxMgp0cDEzCnNWbm9uZQpwMTQKTnNWZmxhZ3MKcDE1CihscDE2CkkwMQphSTAwCmFzVmJ5dGVzCnAxNwpjX2NvZGVjcwplbmNvZGUKcDE4CihWXHUwMDAw/wpwMTkKVmxhdGluMQpwMjAKdHAyMQpScDIyCnNJNwpWaW50IGtleQpwMjMKcy4=',
  protocol1:
    'fXEAKFgFAAAAbmFtZXNxAV1xAihYOQAAADAwMS5CbGFja19mb290ZWRfQWxiYXRyb3NzL0JsYWNrX0Zvb3RlZF9BbGJhdHJvc3NfMDA0Nl8xOHEDWAkAAABjYWbDqSDimINxBGVYBAAAAGludHNxBV1xBihLAEsBSv////9L/00AAU3//0oAAAEASgAAAIBMMjE0NzQ4MzY0OEwKTDEwOTk1MTE2Mjc3NzZMCkwtOTIyMzM3MjAzNjg1NDc3NTgwOEwKZVgDAAAAYmlncQdMMTE4MDU5MTYyMDcxNzQxMTMwMzQyNEwKWAUAAABmbG9hdHEIXXEJKEc/+AAAAAAAAEeAAAAAAAAAAEd+N+Q8iAB1nGVYBQAAAHR1cGxlcQooSwFYAQAAAGFxCyhLAksDdHEMdHENWAQAAABub25lcQ5OWAUAAABmbGFnc3EPXXEQKEkwMQpJMDAKZVgFAAAAYnl0ZXNxEWNfY29kZWNzCmVuY29kZQpxEihYAwAAAADDv3ETWAYAAABsYXRpbjFxFHRxFVJxFksHWAcAAABpbnQga2V5cRd1Lg==',
  protocol2:
    'gAJ9cQAoWAUAAABuYW1lc3EBXXECKFg5AAAAMDAxLkJsYWNrX2Zvb3RlZF9BbGJhdHJvc3MvQmxhY2tfRm9vdGVkX0FsYmF0cm9zc18wMDQ2XzE4cQNYCQAAAGNhZsOpIOKYg3EEZVgEAAAAaW50c3EFXXEGKEsASwFK/////0v/TQABTf//SgAAAQBKAAAAgIoFAAAAgACKBgAAAAAAAYoIAAAAAAAAAIBlWAMAAABiaWdxB4oJAAAAAAAAAABAWAUAAABmbG9hdHEIXXEJKEc/+AAAAAAAAEeAAAAAAAAAAEd+N+Q8iAB1nGVYBQAAAHR1cGxlcQpLAVgBAAAAYXELSwJLA4ZxDIdxDVgEAAAAbm9uZXEOTlgFAAAAZmxhZ3NxD11xECiIiWVYBQAAAGJ5dGVzcRFjX2NvZGVjcwplbmNvZGUKcRJYAwAAAADDv3ETWAYAAABsYXRpbjFxFIZxFVJxFksHWAcAAABpbnQga2V5cRd1Lg==',
  protocol3:
    'gAN9cQAoWAUAAABuYW1lc3EBXXECKFg5AAAAMDAxLkJsYWNrX2Zvb3RlZF9BbGJhdHJvc3MvQmxhY2tfRm9vdGVkX0FsYmF0cm9zc18wMDQ2XzE4cQNYCQAAAGNhZsOpIOKYg3EEZVgEAAAAaW50c3EFXXEGKEsASwFK/////0v/TQABTf//SgAAAQBKAAAAgIoFAAAAgACKBgAAAAAAAYoIAAAAAAAAAIBlWAMAAABiaWdxB4oJAAAAAAAAAABAWAUAAABmbG9hdHEIXXEJKEc/+AAAAAAAAEeAAAAAAAAAAEd+N+Q8iAB1nGVYBQAAAHR1cGxlcQpLAVgBAAAAYXELSwJLA4ZxDIdxDVgEAAAAbm9uZXEOTlgFAAAAZmxhZ3NxD11xECiIiWVYBQAAAGJ5dGVzcRFDAgD/cRJLB1gHAAAAaW50IGtleXETdS4=',
  protocol4:
    'gASVFQEAAAAAAAB9lCiMBW5hbWVzlF2UKIw5MDAxLkJsYWNrX2Zvb3RlZF9BbGJhdHJvc3MvQmxhY2tfRm9vdGVkX0FsYmF0cm9zc18wMDQ2XzE4lIwJY2Fmw6kg4piDlGWMBGludHOUXZQoSwBLAUr/////S/9NAAFN//9KAAABAEoAAACAigUAAACAAIoGAAAAAAABiggAAAAAAAAAgGWMA2JpZ5SKCQAAAAAAAAAAQIwFZmxvYXSUXZQoRz/4AAAAAAAAR4AAAAAAAAAAR3435DyIAHWcZYwFdHVwbGWUSwGMAWGUSwJLA4aUh5SMBG5vbmWUTowFZmxhZ3OUXZQoiIlljAVieXRlc5RDAgD/lEsHjAdpbnQga2V5lHUu',
  protocol5:
    'gAWVFQEAAAAAAAB9lCiMBW5hbWVzlF2UKIw5MDAxLkJsYWNrX2Zvb3RlZF9BbGJhdHJvc3MvQmxhY2tfRm9vdGVkX0FsYmF0cm9zc18wMDQ2XzE4lIwJY2Fmw6kg4piDlGWMBGludHOUXZQoSwBLAUr/////S/9NAAFN//9KAAABAEoAAACAigUAAACAAIoGAAAAAAABiggAAAAAAAAAgGWMA2JpZ5SKCQAAAAAAAAAAQIwFZmxvYXSUXZQoRz/4AAAAAAAAR4AAAAAAAAAAR3435DyIAHWcZYwFdHVwbGWUSwGMAWGUSwJLA4aUh5SMBG5vbmWUTowFZmxhZ3OUXZQoiIlljAVieXRlc5RDAgD/lEsHjAdpbnQga2V5lHUu',
  memoShared: 'gAJdcQAoXXEBWAEAAAB4cQJhaAFlLg==',
  orderedDict: 'gAJjY29sbGVjdGlvbnMKT3JkZXJlZERpY3QKcQApUnEBKFgBAAAAYnECSwFYAQAAAGFxA0sCdS4=',
  sets: 'gASVGQAAAAAAAAB9lCiMAmZzlChLAZGUjAFzlI+UKEsCkHUu',
  osSystem: 'gAJjcG9zaXgKc3lzdGVtCnEAWAoAAABlY2hvIG93bmVkcQGFcQJScQMu',
};

const decode = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/** Python 3 writes bytes in protocols 0-2 as `_codecs.encode(latin1 text, 'latin1')`. */
const codecsEncode: PickleGlobal = {
  call: ([text]) => Uint8Array.from(String(text), (c) => c.charCodeAt(0)),
};
const allowCodecs = (module: string, name: string) =>
  module === '_codecs' && name === 'encode' ? codecsEncode : undefined;

describe('unpickle', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`reads every data type of protocol ${protocol}`, () => {
      const value = unpickle(decode(VECTORS[`protocol${protocol}` as keyof typeof VECTORS]), {
        resolveGlobal: allowCodecs,
      }) as Map<unknown, unknown>;
      expect(value).toBeInstanceOf(Map);
      expect(value.get('names')).toEqual([
        '001.Black_footed_Albatross/Black_Footed_Albatross_0046_18',
        'café ☃',
      ]);
      expect(value.get('ints')).toEqual([
        0,
        1,
        -1,
        255,
        256,
        65535,
        65536,
        -(2 ** 31),
        2 ** 31,
        2 ** 40,
        -(2n ** 63n),
      ]);
      expect(value.get('big')).toBe(2n ** 70n);
      const floats = value.get('float') as number[];
      expect(floats[0]).toBe(1.5);
      expect(Object.is(floats[1], -0)).toBe(true);
      expect(floats[2]).toBe(1e300);
      const tuple = value.get('tuple') as PickleTuple;
      expect(isPickleTuple(tuple)).toBe(true);
      expect(isPickleTuple(value.get('names'))).toBe(false);
      expect([...tuple].slice(0, 2)).toEqual([1, 'a']);
      expect([...(tuple[2] as PickleTuple)]).toEqual([2, 3]);
      expect(value.get('none')).toBeNull();
      expect(value.get('flags')).toEqual([true, false]);
      expect([...(value.get('bytes') as Uint8Array)]).toEqual([0, 255]);
      expect(value.get(7)).toBe('int key');
    });
  }

  it('keeps shared references from the memo', () => {
    const value = unpickle(decode(VECTORS.memoShared)) as unknown[][];
    expect(value[0]).toBe(value[1]);
  });

  it('reads sets and frozensets', () => {
    const value = unpickle(decode(VECTORS.sets)) as Map<string, Set<number>>;
    expect([...value.get('fs')!]).toEqual([1]);
    expect([...value.get('s')!]).toEqual([2]);
  });

  it('builds allowlisted globals such as OrderedDict', () => {
    const orderedDict: PickleGlobal = { call: () => new Map() };
    const value = unpickle(decode(VECTORS.orderedDict), {
      resolveGlobal: (module, name) =>
        module === 'collections' && name === 'OrderedDict' ? orderedDict : undefined,
    }) as Map<string, number>;
    expect([...value.entries()]).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
  });

  it('refuses any global that is not allowlisted, naming it and the file', () => {
    expect(() => unpickle(decode(VECTORS.osSystem), { source: 'evil.pkl' })).toThrow(PickleError);
    expect(() => unpickle(decode(VECTORS.osSystem), { source: 'evil.pkl' })).toThrow(
      /evil\.pkl: refusing global 'posix\.system'/,
    );
    expect(() => unpickle(decode(VECTORS.orderedDict))).toThrow(/refusing global 'collections\.OrderedDict'/);
  });

  it('reports truncated files and unknown opcodes with their byte offset', () => {
    const whole = decode(VECTORS.protocol2);
    expect(() => unpickle(whole.subarray(0, 40), { source: 'cut.pkl' })).toThrow(
      /cut\.pkl: needs \d+ more bytes/,
    );
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0xff]))).toThrow(/unsupported opcode .* at byte 2/);
    expect(() => unpickle(new Uint8Array([0x80, 0x09]))).toThrow(/unsupported pickle protocol/);
    expect(() => unpickle(new Uint8Array([0x2e]))).toThrow(/stack underflow/);
  });

  it('refuses persistent ids unless a loader is given', () => {
    const bytes = new Uint8Array([0x80, 0x02, 0x4b, 0x05, 0x51, 0x2e]);
    expect(() => unpickle(bytes)).toThrow(/persistent ids are not allowed/);
    expect(unpickle(bytes, { persistentLoad: (pid) => ({ storage: pid }) })).toEqual({ storage: 5 });
  });
});
