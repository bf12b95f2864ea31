export type {
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsHeader,
  SafetensorsInput,
  SafetensorsParseOptions,
  SafetensorsTypedArray,
} from './io/safetensors';
export {
  decodeRaw,
  float16BitsToNumber,
  numberToFloat16Bits,
  parseHeaderJson,
  readHeaderLength,
  readSafetensors,
  SAFETENSORS_DTYPE_SIZE,
  SafetensorsError,
  SafetensorsFile,
  toFloat32,
  writeSafetensors,
} from './io/safetensors';
export { leakyRelu } from './ops/leaky-relu';
export type { SeededRandomState } from './random/seeded-random';
export { SeededRandom } from './random/seeded-random';
