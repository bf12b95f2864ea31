import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import {
  bfloat16ArrayToFloat32,
  bfloat16BitsToNumber,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  toBfloat16Array,
  toFloat16Array,
} from './half-precision';

/** numpy `np.float64(v).astype(np.float16).view(np.uint16)` for values chosen around rounding edges. */
const NUMPY_FLOAT16: ReadonlyArray<[number, number]> = [
  [0, 0x0],
  [-0, 0x8000],
  [1, 0x3c00],
  [-1, 0xbc00],
  [1 + 2 ** -11, 0x3c00],
  [1 + 3 * 2 ** -11, 0x3c02],
  [1 + 2 ** -11 + 2 ** -40, 0x3c01],
  [65504, 0x7bff],
  [65519.99, 0x7bff],
  [65520, 0x7c00],
  [-65520, 0xfc00],
  [2 ** -14, 0x400],
  [2 ** -24, 0x1],
  [2 ** -25, 0x0],
  [2 ** -25 * 1.0000001, 0x1],
  [3 * 2 ** -26, 0x1],
  [2 ** -14 - 2 ** -25, 0x400],
  [0.1, 0x2e66],
  [1 / 3, 0x3555],
  [-2.5, 0xc100],
  [1e-8, 0x0],
  [1e9, 0x7c00],
  [Number.POSITIVE_INFINITY, 0x7c00],
  [Number.NEGATIVE_INFINITY, 0xfc00],
  [6.0975552e-5, 0x3ff],
  [0.33325195, 0x3555],
  [2047.5, 0x6800],
  [2049, 0x6800],
  [4097, 0x6c00],
];

function isNaNBits(bits: number, exponentMask: number, mantissaMask: number): boolean {
  return (bits & exponentMask) === exponentMask && (bits & mantissaMask) !== 0;
}

/**
 * Why `bits` is not the correctly rounded (nearest, ties to even) encoding of `value`, or undefined
 * when it is. Failures are collected and asserted once: an `expect` per value made these sweeps slow.
 */
function nearestEvenFailure(
  value: number,
  bits: number,
  decode: (bits: number) => number,
): string | undefined {
  const decoded = decode(bits);
  const sign = bits & 0x8000;
  const magnitudeBits = bits & 0x7fff;
  const error = Math.abs(decoded - value);
  for (const neighbour of [magnitudeBits - 1, magnitudeBits + 1]) {
    if (neighbour < 0) continue;
    const other = decode(sign | neighbour);
    if (!Number.isFinite(other) || Number.isNaN(other)) continue;
    const otherError = Math.abs(other - value);
    if (error > otherError) return `${value} -> ${bits.toString(16)}: ${other} is nearer`;
    if (error === otherError && magnitudeBits % 2 !== 0)
      return `${value} -> ${bits.toString(16)}: tie not to even`;
  }
  return undefined;
}

/** Every bit pattern whose decode-encode round trip fails (NaNs must stay NaNs). */
function roundTripFailures(
  decode: (bits: number) => number,
  encode: (value: number) => number,
  exponentMask: number,
  mantissaMask: number,
): number[] {
  const failures: number[] = [];
  for (let bits = 0; bits < 0x10000; bits++) {
    const value = decode(bits);
    const ok = isNaNBits(bits, exponentMask, mantissaMask)
      ? Number.isNaN(value) && isNaNBits(encode(value), exponentMask, mantissaMask)
      : encode(value) === bits;
    if (!ok) failures.push(bits);
  }
  return failures;
}

/** Failures of {@link nearestEvenFailure} over `count` random values. */
function roundingFailures(
  count: number,
  draw: () => number,
  encode: (value: number) => number,
  decode: (bits: number) => number,
): string[] {
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = draw();
    const failure = nearestEvenFailure(value, encode(value), decode);
    if (failure) failures.push(failure);
  }
  return failures;
}

describe('float16', () => {
  it('matches numpy on rounding edges, subnormals, overflow and infinities', () => {
    for (const [value, bits] of NUMPY_FLOAT16) {
      expect(numberToFloat16Bits(value), `float16(${value})`).toBe(bits);
    }
  });

  it('round-trips every non-NaN bit pattern and keeps NaN a NaN', () => {
    expect(roundTripFailures(float16BitsToNumber, numberToFloat16Bits, 0x7c00, 0x3ff)).toEqual([]);
  });

  it('rounds random doubles to the nearest representable value, ties to even', () => {
    const rng = new SeededRandom(7);
    const draw = () => (rng.uniform() * 2 - 1) * 2 ** (rng.int(45) - 30);
    expect(roundingFailures(20_000, draw, numberToFloat16Bits, float16BitsToNumber)).toEqual([]);
  });

  it('encodes arrays', () => {
    expect([...toFloat16Array([1, -2.5, 65520])]).toEqual([0x3c00, 0xc100, 0x7c00]);
  });
});

describe('bfloat16', () => {
  it('round-trips every non-NaN bit pattern and keeps NaN a NaN', () => {
    expect(roundTripFailures(bfloat16BitsToNumber, numberToBfloat16Bits, 0x7f80, 0x7f)).toEqual([]);
  });

  it('rounds ties to even and overflows to infinity', () => {
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(numberToBfloat16Bits(3.4028234663852886e38)).toBe(0x7f80);
    expect(numberToBfloat16Bits(-(2 ** -134))).toBe(0x8000);
    expect(numberToBfloat16Bits(2 ** -133 * 2.5)).toBe(0x0002);
    expect(numberToBfloat16Bits(2 ** -134 * 1.5)).toBe(0x0001);
    expect(numberToBfloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xff80);
  });

  it('rounds random doubles to the nearest representable value, ties to even', () => {
    const rng = new SeededRandom(8);
    const draw = () => (rng.uniform() * 2 - 1) * 2 ** (rng.int(277) - 150);
    expect(roundingFailures(20_000, draw, numberToBfloat16Bits, bfloat16BitsToNumber)).toEqual([]);
  });

  it('the Float32Array fast path agrees with the exact path, NaN and infinities included', () => {
    const rng = new SeededRandom(9);
    const words = new Uint32Array(20_000).map(() => rng.nextUint32());
    const floats = new Float32Array(words.buffer);
    const fast = toBfloat16Array(floats);
    const exact = toBfloat16Array(Array.from(floats));
    const mismatches: number[] = [];
    for (let i = 0; i < floats.length; i++) {
      const agrees = Number.isNaN(floats[i]!)
        ? Number.isNaN(bfloat16ArrayToFloat32(fast.subarray(i, i + 1))[0]!)
        : fast[i] === exact[i];
      if (!agrees) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
    expect([...toBfloat16Array(new Float32Array([Number.POSITIVE_INFINITY, -0]))]).toEqual([0x7f80, 0x8000]);
  });
});
