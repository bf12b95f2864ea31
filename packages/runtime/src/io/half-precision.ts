/**
 * Conversions between numbers and the 16-bit float formats of weight files: IEEE half precision
 * (float16, 5 exponent bits) and bfloat16 (8 exponent bits). Encoding rounds the exact double value
 * once, to nearest with ties to even, and keeps subnormals, signed zeros, infinities and NaN.
 */

interface SmallFloatFormat {
  exponentBits: number;
  mantissaBits: number;
}

const FLOAT16: SmallFloatFormat = { exponentBits: 5, mantissaBits: 10 };
const BFLOAT16: SmallFloatFormat = { exponentBits: 8, mantissaBits: 7 };

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1)) return floor + 1;
  return floor;
}

function exponentOf(magnitude: number): number {
  let exponent = Math.floor(Math.log2(magnitude));
  // log2 can be off by one ulp next to powers of two; fix it with exact power-of-two comparisons.
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  return exponent;
}

function encodeSmallFloat(value: number, format: SmallFloatFormat): number {
  const { exponentBits, mantissaBits } = format;
  const signBit = 1 << (exponentBits + mantissaBits);
  const maxExponentField = (1 << exponentBits) - 1;
  const infinityBits = maxExponentField << mantissaBits;
  if (Number.isNaN(value)) return infinityBits | (1 << (mantissaBits - 1));
  const sign = value < 0 || Object.is(value, -0) ? signBit : 0;
  const magnitude = Math.abs(value);
  if (magnitude === 0) return sign;
  if (magnitude === Number.POSITIVE_INFINITY) return sign | infinityBits;
  const bias = (1 << (exponentBits - 1)) - 1;
  const minNormalExponent = 1 - bias;
  const exponent = exponentOf(magnitude);
  if (exponent < minNormalExponent) {
    // Subnormal: a fixed quantum; a carry into bit `mantissaBits` yields the smallest normal, which
    // the same bit pattern encodes.
    const steps = roundHalfToEven(magnitude / 2 ** (minNormalExponent - mantissaBits));
    return sign | steps;
  }
  let steps = roundHalfToEven(magnitude / 2 ** (exponent - mantissaBits));
  let exponentField = exponent + bias;
  if (steps === 2 ** (mantissaBits + 1)) {
    steps /= 2;
    exponentField++;
  }
  if (exponentField >= maxExponentField) return sign | infinityBits;
  return sign | (exponentField << mantissaBits) | (steps - 2 ** mantissaBits);
}

/** IEEE half-precision bits (0..0xffff) to a number (exact). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * A number to IEEE half-precision bits, rounding the exact value to nearest, ties to even. Values
 * beyond ±65504 (after rounding) become ±Infinity; tiny values become subnormals or a signed zero.
 */
export function numberToFloat16Bits(value: number): number {
  return encodeSmallFloat(value, FLOAT16);
}

const bfloat16Scratch = new Float32Array(1);
const bfloat16ScratchBits = new Uint32Array(bfloat16Scratch.buffer);

/** bfloat16 bits (0..0xffff) to a number (exact). */
export function bfloat16BitsToNumber(bits: number): number {
  bfloat16ScratchBits[0] = (bits & 0xffff) << 16;
  return bfloat16Scratch[0]!;
}

/** A number to bfloat16 bits, rounding the exact value to nearest, ties to even. */
export function numberToBfloat16Bits(value: number): number {
  return encodeSmallFloat(value, BFLOAT16);
}

/** Decodes raw float16 words to float32 values. */
export function float16ArrayToFloat32(words: Uint16Array): Float32Array {
  const out = new Float32Array(words.length);
  for (let i = 0; i < words.length; i++) out[i] = float16BitsToNumber(words[i]!);
  return out;
}

/** Decodes raw bfloat16 words to float32 values (a bit shift; exact). */
export function bfloat16ArrayToFloat32(words: Uint16Array): Float32Array {
  const out = new Float32Array(words.length);
  const view = new Uint32Array(out.buffer);
  for (let i = 0; i < words.length; i++) view[i] = words[i]! << 16;
  return out;
}

/** Encodes numbers as raw float16 words (round to nearest even). */
export function toFloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToFloat16Bits(values[i]!);
  return out;
}

/** Encodes numbers as raw bfloat16 words (round to nearest even). */
export function toBfloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  if (values instanceof Float32Array) {
    // Float32 input: rounding the top half of the bit pattern is exact and much faster.
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < bits.length; i++) {
      const word = bits[i]!;
      out[i] =
        (word & 0x7fffffff) > 0x7f800000 ? 0x7fc0 : ((word + 0x7fff + ((word >>> 16) & 1)) >>> 16) & 0xffff;
    }
    return out;
  }
  for (let i = 0; i < values.length; i++) out[i] = numberToBfloat16Bits(values[i]!);
  return out;
}
